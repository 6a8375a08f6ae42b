/**
 * The bus rules of sender binding (issue 15; core/sender-binding.ts says what a bound source is).
 * For bound clusters (context `podlife:senders`) two kinds of rule on the podlife bus:
 * - bound ingest: an event of source `podlife.forwarder.C` (or `kubernetes-event-exporter.C`)
 *   whose `detail.cluster` is C, and, when the binding names an account, whose envelope `account`
 *   (the sender's account on a cross-account PutEvents) is that one → the ingest queue;
 * - wrong sender: every other ingestible event that speaks for a bound cluster or comes from a
 *   bound source: a plain source claiming C, a bound source claiming another cluster or none, a
 *   bound source from another account → the invalid-events queue as a `wrong-sender` report,
 *   counted (the rule's TriggeredRules) and alarmed.
 * With the plain ingest rules (which leave the bound clusters out) and the filtered-clusters rule
 * they partition every ingestible event (test/infra/sender-binding.test.ts, with the local
 * matcher). An event pattern may hold 2,048 characters (EventBridge's default quota): the
 * bindings are packed into as few rule pairs as fit.
 */
import { boundSource, CLUSTER_NAME, type SenderSource } from '../core/sender-binding.ts';

/** A cluster bound to its sender: the source carries it; `account` pins the sender's account too. */
export interface SenderBinding {
  cluster: string;
  /**
   * The 12-digit account the cluster's sender puts events from (cross-account): the bus policy
   * lets that account put the cluster's bound sources, and only its events are ingested. The
   * sender's role lives in that account (docs/security.md). Absent: the sender is in this
   * account, with a role of this stack (PodlifeStack).
   */
  account?: string | undefined;
  /** The forwarder's ServiceAccount in that cluster (default podlife/podlife-forwarder). */
  serviceAccount?: { namespace: string; name: string } | undefined;
  /** Trust EKS Pod Identity (default true). */
  podIdentity?: boolean | undefined;
  /** IRSA: the cluster's IAM OIDC provider ARN. */
  oidcProviderArn?: string | undefined;
  /** IRSA: the issuer, when oidcProviderArn is not a literal. */
  oidcIssuer?: string | undefined;
}

/** What the ingest takes from each sender (pipeline.ts INGESTED). */
export interface IngestedSender {
  source: string;
  detailTypes: readonly string[];
}

/** EventBridge's default quota for one rule's event pattern, in characters. */
export const EVENT_PATTERN_LIMIT = 2048;

type Pattern = Record<string, unknown>;

/** Checks bindings: cluster names a source can carry, 12-digit accounts, each cluster once. */
export function checkBindings(bindings: readonly SenderBinding[]): void {
  const seen = new Set<string>();
  bindings.forEach((b, i) => {
    if (!CLUSTER_NAME.test(b.cluster))
      throw new Error(
        `senders[${i}].cluster: 1-63 letters, digits, ".", "_", "-", got ${JSON.stringify(b.cluster)}`,
      );
    if (b.account !== undefined && !/^\d{12}$/.test(b.account))
      throw new Error(`senders[${i}].account: not a 12-digit AWS account id: ${JSON.stringify(b.account)}`);
    if (seen.has(b.cluster)) throw new Error(`senders[${i}].cluster: ${b.cluster} is bound twice`);
    seen.add(b.cluster);
  });
}

const src = (s: IngestedSender, cluster: string) => boundSource(cluster, s.source as SenderSource);

/** The bound ingest rule's pattern for a group of bindings. */
export function boundIngestPattern(
  group: readonly SenderBinding[],
  ingested: readonly IngestedSender[],
): Pattern {
  return {
    $or: group.flatMap((b) =>
      ingested.map((s) => ({
        source: [src(s, b.cluster)],
        'detail-type': [...s.detailTypes],
        ...(b.account !== undefined ? { account: [b.account] } : {}),
        detail: { cluster: [b.cluster] },
      })),
    ),
  };
}

/**
 * The wrong-sender rule's pattern for a group of bindings (see the file comment). Its branches
 * name no detail-type: a sender speaking for a cluster it is not bound to is wrong whatever it
 * sends, and the pattern stays small (more bindings per rule).
 */
export function wrongSenderPattern(
  group: readonly SenderBinding[],
  ingested: readonly IngestedSender[],
): Pattern {
  const clusters = group.map((b) => b.cluster);
  const sourcesOf = (c: string) => ingested.map((s) => src(s, c));
  return {
    $or: [
      // A plain (unbound) source speaking for a bound cluster.
      { source: ingested.map((s) => s.source), detail: { cluster: clusters } },
      // A bound source without a cluster.
      { source: clusters.flatMap(sourcesOf), detail: { cluster: [{ exists: false }] } },
      ...group.flatMap((b) => [
        // A bound source speaking for another cluster.
        { source: sourcesOf(b.cluster), detail: { cluster: [{ 'anything-but': [b.cluster] }] } },
        // A bound source from another account than its binding's.
        ...(b.account !== undefined
          ? [{ source: sourcesOf(b.cluster), account: [{ 'anything-but': [b.account] }] }]
          : []),
      ]),
    ],
  };
}

/**
 * The bindings in groups whose two patterns each fit in `limit` characters (as few groups as
 * the order allows). A binding too big for a rule on its own throws.
 */
export function groupBindings(
  bindings: readonly SenderBinding[],
  ingested: readonly IngestedSender[],
  limit: number = EVENT_PATTERN_LIMIT,
): SenderBinding[][] {
  const fits = (g: readonly SenderBinding[]) =>
    JSON.stringify(boundIngestPattern(g, ingested)).length <= limit &&
    JSON.stringify(wrongSenderPattern(g, ingested)).length <= limit;
  const groups: SenderBinding[][] = [];
  let current: SenderBinding[] = [];
  for (const b of bindings) {
    if (fits([...current, b])) current.push(b);
    else {
      if (current.length === 0)
        throw new Error(`senders: the rules of ${b.cluster} alone pass ${limit} characters`);
      groups.push(current);
      current = [b];
      if (!fits(current))
        throw new Error(`senders: the rules of ${b.cluster} alone pass ${limit} characters`);
    }
  }
  if (current.length) groups.push(current);
  return groups;
}
