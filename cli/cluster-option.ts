import { ClusterName } from '../core/kube-schemas.ts';
import { UsageError } from './errors.ts';

/**
 * `--cluster NAME` as every contract takes it (core/kube-schemas.ts ClusterName: 1-63
 * characters, no `#`, `/` or control characters): anything else would be refused by the ingest
 * for every pod, so it is refused here, once, naming the option.
 */
export function clusterOption(value: string, option = '--cluster'): string {
  const r = ClusterName.safeParse(value);
  if (r.success) return r.data;
  const reason =
    value.length === 0
      ? 'must not be empty'
      : value.length > 63
        ? 'at most 63 characters'
        : 'no "#", "/" or control characters';
  throw new UsageError(`${option}: not a cluster name (${reason}): ${JSON.stringify(value).slice(0, 80)}`, 2);
}
