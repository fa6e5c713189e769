import { handleTrpcRequest } from '@sidekey/api';
import type { RequestHandler } from './$types';

const handle: RequestHandler = ({ request, locals }) =>
  handleTrpcRequest(request, {
    sidekey: locals.context.sidekey,
    address: locals.context.address,
    auth: locals.context.auth,
    verifyDeadlineMs: locals.context.requestDeadlineMs,
  });

export const GET = handle;
export const POST = handle;
