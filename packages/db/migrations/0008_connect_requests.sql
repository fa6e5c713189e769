CREATE TABLE "connect_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"user_code" text NOT NULL,
	"client_name" text NOT NULL,
	"user_agent" text,
	"requested_scopes" text[] NOT NULL,
	"address" text,
	"state" text DEFAULT 'pending' NOT NULL,
	"interval_seconds" integer NOT NULL,
	"last_polled_at" timestamp with time zone,
	"account_id" uuid,
	"credential_id" uuid,
	"password_sealed" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "connect_requests_user_code_unique" UNIQUE("user_code"),
	CONSTRAINT "connect_requests_state_known" CHECK ("connect_requests"."state" in ('pending', 'approving', 'approved', 'denied')),
	CONSTRAINT "connect_requests_approved_has_password" CHECK ("connect_requests"."state" <> 'approved' or ("connect_requests"."password_sealed" is not null and "connect_requests"."credential_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "connect_requests" ADD CONSTRAINT "connect_requests_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connect_requests" ADD CONSTRAINT "connect_requests_credential_id_app_passwords_id_fk" FOREIGN KEY ("credential_id") REFERENCES "public"."app_passwords"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "connect_requests_expires_idx" ON "connect_requests" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "connect_requests_address_idx" ON "connect_requests" USING btree ("address","expires_at");