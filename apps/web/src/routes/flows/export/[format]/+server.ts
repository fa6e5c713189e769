import { error } from '@sveltejs/kit';
import { credentialLifecycleGraph, credentialMachine, lifecycleExports } from '@sidekey/lifecycle';
import type { RequestHandler } from './$types';

/** Downloads of the machine (Mermaid, SCXML, Stately JSON), generated from it per request. */
export const GET: RequestHandler = ({ params }) => {
  const files = lifecycleExports(credentialLifecycleGraph(), credentialMachine);
  if (!Object.hasOwn(files, params.format)) {
    error(404, 'There is no such export: try mermaid, scxml or stately.');
  }
  const file = files[params.format as keyof typeof files];
  return new Response(file.body, {
    headers: {
      'content-type': `${file.type}; charset=utf-8`,
      'content-disposition': `attachment; filename="${file.filename}"`,
    },
  });
};
