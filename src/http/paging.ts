// Paging metadata of the public API's listings, in headers so that the bodies stay as documented: the total count and
// an RFC 8288 Link header to the first, previous, next and last pages.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PageRequest } from '../services/form-fields.js';

export const TOTAL_COUNT_HEADER = 'X-Total-Count';
export const LINK_HEADER = 'Link';

/** The last page of `total` rows at `perPage` a page: 1 when there are none. */
export function lastPage(total: number, perPage: number): number {
  return Math.max(1, Math.ceil(total / perPage));
}

/** The `rel` → page number of a listing's links: first and last always, prev and next where there is such a page. */
export function pageLinks(page: PageRequest, total: number): [rel: string, page: number][] {
  const last = lastPage(total, page.perPage);
  const links: [string, number][] = [['first', 1]];
  if (page.page > 1) links.push(['prev', Math.min(page.page - 1, last)]);
  if (page.page < last) links.push(['next', page.page + 1]);
  links.push(['last', last]);
  return links;
}

/**
 * The request's own URL (scheme and host as the request came, X-Forwarded-* only from trusted proxies) with `page`
 * and `per_page` set and its other query parameters kept in their order.
 */
function pageUrl(request: FastifyRequest, page: number, perPage: number): string {
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  url.searchParams.set('page', String(page));
  url.searchParams.set('per_page', String(perPage));
  return url.href;
}

/** Sets `X-Total-Count` (the rows of the whole listing) and `Link` on the reply of one page of a listing. */
export function setPagingHeaders(request: FastifyRequest, reply: FastifyReply, page: PageRequest, total: number): void {
  const links = pageLinks(page, total).map(([rel, n]) => `<${pageUrl(request, n, page.perPage)}>; rel="${rel}"`);
  reply.header(TOTAL_COUNT_HEADER, String(total));
  reply.header(LINK_HEADER, links.join(', '));
}

/** The two headers as the OpenAPI document declares them on a listing's 200. */
export const PAGING_HEADERS_SCHEMA = {
  [TOTAL_COUNT_HEADER]: { type: 'integer', minimum: 0, description: 'How many rows the whole listing has' },
  [LINK_HEADER]: {
    type: 'string',
    description:
      'RFC 8288 links to the first, prev (when page > 1), next (when there is a later page) and last pages: the ' +
      'request URL with page and per_page set, its other query parameters kept',
    example:
      '<https://api.smsgic.com/sendings?page=1&per_page=100>; rel="first", ' +
      '<https://api.smsgic.com/sendings?page=2&per_page=100>; rel="next", ' +
      '<https://api.smsgic.com/sendings?page=3&per_page=100>; rel="last"',
  },
} as const;
