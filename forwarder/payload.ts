/**
 * THE encoder: the pipeline's snapshot → facts → delta → encode stages behind one object that
 * holds the ledger. The forwarder runs its informers' pods through it; `podlife local` replays a
 * trace through it "as the forwarder would have sent it", and tests feed the ingest the
 * forwarder's own deltas with it. A snapshot becomes the pod's new facts (nothing when there are
 * none); an Event about a pod uid becomes one more fact of that pod; an Event naming the pod only
 * by name stays a Pod Event.
 */
import { type Fact, factOfEvent } from '../core/facts.ts';
import { DETAIL_TYPE_FACTS, type PodIdentity } from '../core/pod-facts.ts';
import {
  type CompactEvent,
  DETAIL_TYPE_EVENT,
  type PodEventSnapshot,
  type PodSnapshot,
  SCHEMA_VERSION,
} from '../core/snapshot.ts';
import type { NewsClass } from './pipeline/buffer.ts';
import { Ledger } from './pipeline/delta.ts';
import { type BuiltEntry, type Compression, type Envelope, factsEntry } from './pipeline/encode.ts';
import { withheldEvent, withheldSnapshot } from './pipeline/snapshot.ts';

export interface BusPayload {
  detailType: string;
  detail: object;
}

export interface EncoderOptions {
  /**
   * `auto` (default, what the forwarder's default `facts` payload does): readable facts,
   * compressed only when the entry would otherwise pass 64 KB; true: compressed whenever that
   * is smaller; false: never compressed (`facts-json`).
   */
  compress?: Compression | undefined;
  /**
   * Keep application-written text (the forwarder's `--forward-messages`). Default true: the
   * encoder serves `podlife local`'s replay of the user's own files, where nothing leaves the
   * machine. false gives exactly what a default forwarder sends.
   */
  forwardMessages?: boolean | undefined;
}

/** Entries are sized with a Time, as the forwarder's are (14 bytes, whatever the time). */
const SIZED_AS_SENT: Envelope = { time: new Date(0).toISOString() };

export class PayloadEncoder {
  /** What was sent, per pod uid and per Event uid. */
  readonly ledger = new Ledger();
  readonly compress: Compression;
  readonly forwardMessages: boolean;
  constructor(opts: EncoderOptions = {}) {
    this.compress = opts.compress ?? 'auto';
    this.forwardMessages = opts.forwardMessages ?? true;
  }

  /**
   * Facts and delta: the facts of a (withheld) snapshot that the ledger has not sent, now
   * recorded as sent, or undefined when there are none. `force` starts the pod's ledger afresh.
   */
  podDelta(snap: PodSnapshot, force = false): Fact[] | undefined {
    const delta = this.ledger.podFacts(snap, force);
    return delta === 'noop' ? undefined : delta;
  }

  /** `podDelta`, with how soon the delta matters (delta.ts `classifyNews`: the buffer's linger). */
  podNews(snap: PodSnapshot, force = false): { facts: Fact[]; news: NewsClass } | undefined {
    const news = this.ledger.podNews(snap, force);
    return news === 'noop' ? undefined : news;
  }

  /** Delta for a (withheld) Event: false when it repeats what was sent (else recorded as sent). */
  eventIsNews(ev: CompactEvent): boolean {
    return this.ledger.event(ev) === 'send';
  }

  /** Encode: a pod's facts as one Pod Facts entry that fits (pipeline/encode.ts). */
  encode(id: PodIdentity, facts: readonly Fact[], envelope: Envelope = SIZED_AS_SENT): BuiltEntry {
    return factsEntry(id, facts, this.compress, envelope);
  }

  /** The Pod Facts of a decoded snapshot, or undefined when it is news to nothing. */
  snapshot(input: PodSnapshot): BusPayload | undefined {
    const snap = withheldSnapshot(input, this.forwardMessages);
    const delta = this.podDelta(snap);
    if (!delta) return undefined;
    const { namespace, name, uid } = snap.pod;
    return factsPayload(this.encode({ cluster: snap.cluster, namespace, name, uid }, delta));
  }

  /** A decoded Event about a pod, or undefined when it repeats what was sent. */
  event(cluster: string, input: CompactEvent): BusPayload | undefined {
    const ev = withheldEvent(input, this.forwardMessages);
    if (!this.eventIsNews(ev)) return undefined;
    if (ev.podUid) {
      const id = { cluster, namespace: ev.namespace, name: ev.podName, uid: ev.podUid };
      return factsPayload(this.encode(id, [factOfEvent(ev)]));
    }
    const detail: PodEventSnapshot = { schemaVersion: SCHEMA_VERSION, cluster, event: ev };
    return { detailType: DETAIL_TYPE_EVENT, detail };
  }
}

/** An entry larger than EventBridge takes is not sent (as the forwarder drops it, `too_large`). */
function factsPayload(built: BuiltEntry): BusPayload | undefined {
  return built.ok ? { detailType: DETAIL_TYPE_FACTS, detail: built.detail } : undefined;
}
