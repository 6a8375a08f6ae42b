/**
 * The console widget's Lambda handler, built from its dependencies: the query handler it reads
 * through (in process: the same routes, bounds and answers as the HTTP API, no network hop and no
 * second set of permissions) and the page's stylesheet. CloudWatch calls it with the widget's
 * parameters and a `widgetContext`, as the console user (IAM: `lambda:InvokeFunction` on this
 * function); it answers HTML (web/src/widget.ts).
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createApi } from '../../web/src/api.ts';
import { renderWidget, widgetParamsOf } from '../../web/src/widget.ts';
import type { QueryHandler } from '../query/query.ts';

export interface WidgetHandlerDeps {
  query: QueryHandler;
  /** web/static/style.css. */
  css: string;
}

/** The base the in-process API client resolves its paths against (never fetched). */
const IN_PROCESS = 'https://podlife.invalid/';

/** `fetch` for the page's API client, answered by the query handler in process. */
export function fetchThrough(query: QueryHandler) {
  return async (href: string): Promise<Response> => {
    const u = new URL(href);
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: u.pathname,
      rawQueryString: u.search.slice(1),
      headers: { accept: 'application/json' },
      queryStringParameters: Object.fromEntries(u.searchParams),
      requestContext: {
        http: {
          method: 'GET',
          path: u.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'widget',
        },
      },
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const res = await query(event);
    return new Response(typeof res.body === 'string' ? res.body : '', {
      status: res.statusCode ?? 200,
      headers: { 'content-type': 'application/json' },
    });
  };
}

export type WidgetHandler = (
  event: unknown,
  context?: Pick<Context, 'invokedFunctionArn'>,
) => Promise<string>;

export function makeWidgetHandler(deps: WidgetHandlerDeps): WidgetHandler {
  const api = createApi(IN_PROCESS, fetchThrough(deps.query));
  return async (event, context) => {
    const params = widgetParamsOf(event);
    if ('error' in params) return `<p>podlife: ${params.error.replace(/[<>&]/g, '')}</p>`;
    const theme = (event as { widgetContext?: { theme?: unknown } } | null)?.widgetContext?.theme;
    return renderWidget(api, params, {
      endpoint: context?.invokedFunctionArn ?? '',
      css: deps.css,
      theme: theme === 'dark' || theme === 'light' ? theme : undefined,
    });
  };
}
