/**
 * What the forwarder puts on the bus for a stream of decoded snapshots and Events, without
 * informers or a buffer: `podlife local` replaying a trace "as the forwarder would have sent
 * it", and tests that feed the ingest the forwarder's own deltas. Same choices as Forwarder:
 * a snapshot becomes the pod's new facts (nothing when there are none); an Event about a pod
 * uid becomes one more fact of that pod; an Event naming the pod only by name stays a Pod Event.
 */
import { type Fact, factOfEvent } from '../core/facts.ts';
import { withholdEventText, withholdSnapshotText } from '../core/free-text.ts';
import { DETAIL_TYPE_FACTS, type PodIdentity, podFactsDetail } from '../core/pod-facts.ts';
import {
  type CompactEvent,
  DETAIL_TYPE_EVENT,
  EVENT_SOURCE,
  type PodEventSnapshot,
  type PodSnapshot,
  SCHEMA_VERSION,
} from '../core/snapshot.ts';
import { Deduper } from './dedupe.ts';
import { entrySize, TARGET_ENTRY_BYTES } from './sender.ts';

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
  compress?: boolean | 'auto';
  /**
   * Keep application-written text (the forwarder's `--forward-messages`). Default true: the
   * encoder serves `podlife local`'s replay of the user's own files, where nothing leaves the
   * machine. false gives exactly what a default forwarder sends.
   */
  forwardMessages?: boolean;
}

export class PayloadEncoder {
  private readonly sent = new Deduper();
  private readonly compress: boolean | 'auto';
  private readonly forwardMessages: boolean;
  constructor(opts: EncoderOptions = {}) {
    this.compress = opts.compress ?? 'auto';
    this.forwardMessages = opts.forwardMessages ?? true;
  }

  /** The Pod Facts of a snapshot, or undefined when it is news to nothing. */
  snapshot(input: PodSnapshot): BusPayload | undefined {
    const snap = this.forwardMessages ? input : withholdSnapshotText(input);
    const delta = this.sent.podFacts(snap);
    if (delta === 'noop') return undefined;
    const { namespace, name, uid } = snap.pod;
    return {
      detailType: DETAIL_TYPE_FACTS,
      detail: this.detail({ cluster: snap.cluster, namespace, name, uid }, delta),
    };
  }

  /** An Event about a pod, or undefined when it repeats what was sent. */
  event(cluster: string, input: CompactEvent): BusPayload | undefined {
    const ev = this.forwardMessages ? input : withholdEventText(input);
    if (this.sent.event(ev) === 'noop') return undefined;
    if (ev.podUid) {
      const id = { cluster, namespace: ev.namespace, name: ev.podName, uid: ev.podUid };
      return { detailType: DETAIL_TYPE_FACTS, detail: this.detail(id, [factOfEvent(ev)]) };
    }
    const detail: PodEventSnapshot = { schemaVersion: SCHEMA_VERSION, cluster, event: ev };
    return { detailType: DETAIL_TYPE_EVENT, detail };
  }

  private detail(id: PodIdentity, facts: readonly Fact[]): object {
    if (this.compress !== 'auto') return podFactsDetail(id, facts, { compress: this.compress });
    const readable = podFactsDetail(id, facts, { compress: false });
    // Sized as the forwarder's entry (Source, DetailType, Detail and a Time).
    const size = entrySize({
      Source: EVENT_SOURCE,
      DetailType: DETAIL_TYPE_FACTS,
      Detail: JSON.stringify(readable),
      Time: '',
    });
    return size <= TARGET_ENTRY_BYTES ? readable : podFactsDetail(id, facts, { compress: true });
  }
}
