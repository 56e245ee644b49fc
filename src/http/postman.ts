// GET /postman.json: the API as a Postman collection, converted from /openapi.json by Postman's own converter
// (openapi-to-postmanv2), with the server's base URL and the bearer token as collection variables.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { convertV2 } from 'openapi-to-postmanv2';

/** A Postman collection (v2.1) as the converter writes it; only its variables are touched here. */
interface Collection {
  readonly info: { readonly name: string };
  readonly variable?: readonly { readonly key: string; readonly value: string; readonly type?: string }[];
  readonly [key: string]: unknown;
}

function convertOnce(spec: unknown): Promise<Collection> {
  return new Promise((resolve, reject) => {
    convertV2(
      { type: 'json', data: spec as object },
      // Folders by path (/sendings/...); request bodies filled from the schemas' examples where they have one.
      { folderStrategy: 'Paths', requestParametersResolution: 'Example', collapseFolders: true },
      (error, result) => {
        const output = result?.output?.[0];
        if (error || !result?.result || output?.type !== 'collection') {
          reject(error ?? new Error(`the OpenAPI document did not convert: ${result?.reason ?? 'no collection'}`));
          return;
        }
        resolve(output.data as Collection);
      },
    );
  });
}

/** The address this request reached the server at: what the collection's requests are sent to. */
function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** The collection with its variables: baseUrl (this server) and bearerToken (empty: an API token goes there). */
export function withVariables(collection: Collection, baseUrl: string): Collection {
  const others = (collection.variable ?? []).filter((v) => v.key !== 'baseUrl' && v.key !== 'bearerToken');
  return {
    ...collection,
    variable: [
      { key: 'baseUrl', value: baseUrl, type: 'string' },
      { key: 'bearerToken', value: '', type: 'string' },
      ...others,
    ],
  };
}

export function postmanRoute(app: FastifyInstance): void {
  // Converted on the first request (half a second), then kept: the document does not change while the server runs.
  let converted: Promise<Collection> | null = null;
  app.get('/postman.json', { schema: { hide: true } }, async (request, reply) => {
    converted ??= convertOnce(app.swagger());
    const collection = await converted.catch((error: unknown) => {
      converted = null;
      throw error;
    });
    return reply
      .header('content-disposition', 'attachment; filename="smsgic.postman_collection.json"')
      .send(withVariables(collection, baseUrlOf(request)));
  });
}
