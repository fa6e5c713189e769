CREATE TABLE "refusal_notices" (
	"credential_id" uuid NOT NULL,
	"service" text NOT NULL,
	"mailed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "refusal_notices_credential_id_service_pk" PRIMARY KEY("credential_id","service")
);
--> statement-breakpoint
ALTER TABLE "refusal_notices" ADD CONSTRAINT "refusal_notices_credential_id_app_passwords_id_fk" FOREIGN KEY ("credential_id") REFERENCES "public"."app_passwords"("id") ON DELETE cascade ON UPDATE no action;