/**
 * GET /pods/by-uid/{cluster}/{uid}/trace: one incarnation's life as an OpenTelemetry trace, an
 * OTLP/JSON ExportTraceServiceRequest (model/otlp.ts) to POST as it is to a collector's
 * `/v1/traces`. The record is the one /pods/by-uid/{cluster}/{uid} answers (same reads, same
 * cost); spans still open (a back-off, a run, a Pending pod) end at the request's `now`.
 */
import type { PodResponse, TraceResponse } from '../../../model/api-schemas.ts';
import { otlpTraceOf } from '../../../model/otlp.ts';
import type { Route } from '../route.ts';
import { byUidRoute } from './by-uid.ts';

export const traceRoute: Route = {
  path: '/pods/by-uid/{cluster}/{uid}/trace',
  async run(ctx): Promise<TraceResponse> {
    const { pod } = (await byUidRoute.run(ctx)) as PodResponse;
    return otlpTraceOf([pod], { now: ctx.now });
  },
};
