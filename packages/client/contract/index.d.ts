// @sidekey/client 0.1.1: the published contract. Do not edit: see scripts/contract.js.
import type { TRPCBuiltRouter } from '@trpc/server';
declare const _serviceProcedures: import("@trpc/server").TRPCDecorateCreateRouterOptions<{
    verify: import("@trpc/server").TRPCMutationProcedure<{
        input: {
            username: string;
            password: string;
            service: "imap" | "pop3" | "smtp" | "caldav" | "carddav" | "webdav";
            remoteAddress?: string | null | undefined;
            userAgent?: string | null | undefined;
        };
        output: {
            ok: true;
            accountId: string;
            credentialId: string;
            username: string;
            scopes: ("mail" | "contacts" | "calendars" | "files")[];
        } | {
            ok: false;
            reason: "revoked" | "expired" | "throttled" | "invalid" | "scope_denied";
            retryAfterSeconds?: number | undefined;
        };
        meta: object;
        errorShape: {
            message: string;
            code: import("@trpc/server").TRPC_ERROR_CODE_NUMBER;
            data: {
                code: "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "PRECONDITION_FAILED" | "TOO_MANY_REQUESTS" | "SERVICE_UNAVAILABLE" | "BAD_GATEWAY" | "CLIENT_CLOSED_REQUEST" | "GATEWAY_TIMEOUT" | "INTERNAL_SERVER_ERROR" | "METHOD_NOT_SUPPORTED" | "NOT_IMPLEMENTED" | "PARSE_ERROR" | "PAYLOAD_TOO_LARGE" | "PAYMENT_REQUIRED" | "PRECONDITION_REQUIRED" | "TIMEOUT" | "UNPROCESSABLE_CONTENT" | "UNSUPPORTED_MEDIA_TYPE";
                httpStatus: number;
                path: string | undefined;
                reason: string | undefined;
                retryAfterSeconds: number | undefined;
                fieldErrors: {} | undefined;
            };
        };
    }>;
    events: import("@trpc/server").TRPCSubscriptionProcedure<{
        input: {
            lastEventId?: string | null | undefined;
        } | undefined;
        output: AsyncIterable<import("@trpc/server/unstable-core-do-not-import").TrackedData<{
            eventId: number;
            credentialId: string;
            accountId: string;
            username: string;
            reason: string;
            at: Date;
        }>, void, unknown>;
        meta: object;
        errorShape: {
            message: string;
            code: import("@trpc/server").TRPC_ERROR_CODE_NUMBER;
            data: {
                code: "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "PRECONDITION_FAILED" | "TOO_MANY_REQUESTS" | "SERVICE_UNAVAILABLE" | "BAD_GATEWAY" | "CLIENT_CLOSED_REQUEST" | "GATEWAY_TIMEOUT" | "INTERNAL_SERVER_ERROR" | "METHOD_NOT_SUPPORTED" | "NOT_IMPLEMENTED" | "PARSE_ERROR" | "PAYLOAD_TOO_LARGE" | "PAYMENT_REQUIRED" | "PRECONDITION_REQUIRED" | "TIMEOUT" | "UNPROCESSABLE_CONTENT" | "UNSUPPORTED_MEDIA_TYPE";
                httpStatus: number;
                path: string | undefined;
                reason: string | undefined;
                retryAfterSeconds: number | undefined;
                fieldErrors: {} | undefined;
            };
        };
    }>;
}> | undefined;
declare const _errorShape: {
    message: string;
    code: import("@trpc/server").TRPC_ERROR_CODE_NUMBER;
    data: {
        code: "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "PRECONDITION_FAILED" | "TOO_MANY_REQUESTS" | "SERVICE_UNAVAILABLE" | "BAD_GATEWAY" | "CLIENT_CLOSED_REQUEST" | "GATEWAY_TIMEOUT" | "INTERNAL_SERVER_ERROR" | "METHOD_NOT_SUPPORTED" | "NOT_IMPLEMENTED" | "PARSE_ERROR" | "PAYLOAD_TOO_LARGE" | "PAYMENT_REQUIRED" | "PRECONDITION_REQUIRED" | "TIMEOUT" | "UNPROCESSABLE_CONTENT" | "UNSUPPORTED_MEDIA_TYPE";
        httpStatus: number;
        path: string | undefined;
        reason: string | undefined;
        retryAfterSeconds: number | undefined;
        fieldErrors: {} | undefined;
    };
} | undefined;
/** The router a relying service talks to: `service.verify`, `service.events`. */
export type SidekeyServiceRouter = TRPCBuiltRouter<{
    ctx: object;
    meta: object;
    errorShape: NonNullable<typeof _errorShape>;
    transformer: true;
}, {
    service: NonNullable<typeof _serviceProcedures>;
}>;
export interface SidekeyClientOptions {
    /** Base URL of Sidekey, e.g. https://sidekey.example.org */
    url: string;
    /** Service key issued to this relying service (`sidekey service add <name>`). */
    serviceKey?: string;
    /** Attempts per call on network errors, the first included (default 5). */
    attempts?: number;
    /** Longest pause between attempts, in ms (default 10 000); pauses double from 250 ms. */
    maxRetryDelayMs?: number;
    /** fetch to use (default: the global one). */
    fetch?: typeof fetch;
}
/**
 * A call that never reached Sidekey or got no answer — what is worth retrying. An
 * error Sidekey answered (bad input, a wrong service key) would only fail again.
 */
export declare function isNetworkError(error: unknown): boolean;
/**
 * The typed client of Sidekey's procedures for relying services, with their input and
 * output types: `service.verify.mutate(…)`, `service.events.subscribe(…)`.
 * Calls are retried with exponential backoff on network errors (verification is safe
 * to repeat); the events subscription (Server-Sent Events) reconnects by itself and
 * resumes after the last event it received, so no revocation is missed.
 */
export declare function createSidekeyClient(options: SidekeyClientOptions): import("@trpc/client").TRPCClient<SidekeyServiceRouter>;
export type SidekeyClient = ReturnType<typeof createSidekeyClient>;
export {};
