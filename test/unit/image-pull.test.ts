/**
 * The kubelet's Pulled Events, read (core/image-pull.ts): every wording the kubelet has used,
 * the messages seen in published `kubectl describe` output, and hostile or odd text (→ null).
 */
import { describe, expect, it } from 'vitest';
import { goDurationSeconds, type ImagePull, parsePulledMessage } from '../../core/image-pull.ts';

const pulled = (
  image: string,
  pullSeconds: number,
  totalSeconds: number | null,
  size: number | null,
): ImagePull => ({
  image,
  pullSeconds,
  totalSeconds,
  imageSizeBytes: size,
  alreadyPresent: false,
});
const present = (image: string): ImagePull => ({
  image,
  pullSeconds: 0,
  totalSeconds: 0,
  imageSizeBytes: null,
  alreadyPresent: true,
});

describe('parsePulledMessage', () => {
  it.each<[string, string, ImagePull | null]>([
    [
      'current wording (1.30+), with image size',
      'Successfully pulled image "g1g1/py-kube" in 15.981s (15.981s including waiting). Image size: 129338587 bytes.',
      pulled('g1g1/py-kube', 15.981, 15.981, 129338587),
    ],
    [
      'current wording, milliseconds, a wait of 1 ms',
      'Successfully pulled image "zabbix/zabbix-web-nginx-pgsql:latest" in 717ms (718ms including waiting). Image size: 78005565 bytes.',
      pulled('zabbix/zabbix-web-nginx-pgsql:latest', 0.717, 0.718, 78005565),
    ],
    [
      'minutes',
      'Successfully pulled image "acr.example.io/run48-lsc2019:latest" in 3m10.96s (3m10.96s including waiting). Image size: 3072610852 bytes.',
      pulled('acr.example.io/run48-lsc2019:latest', 190.96, 190.96, 3072610852),
    ],
    [
      'one minute and a fraction',
      'Successfully pulled image "nginx" in 1m0.809s (1m0.809s including waiting). Image size: 187694648 bytes.',
      pulled('nginx', 60.809, 60.809, 187694648),
    ],
    [
      'older wording (1.28, 1.29): no size, nanosecond durations',
      'Successfully pulled image "public.ecr.aws/eks-distro/kubernetes-csi/external-provisioner:v3.4.1-eks-1-26-7" in 1.315633737s (1.315641898s including waiting)',
      pulled(
        'public.ecr.aws/eks-distro/kubernetes-csi/external-provisioner:v3.4.1-eks-1-26-7',
        1.316,
        1.316,
        null,
      ),
    ],
    [
      'older wording, a long wait in the queue',
      'Successfully pulled image "registry.k8s.io/echoserver:1.4" in 2.5s (7.46s including waiting)',
      pulled('registry.k8s.io/echoserver:1.4', 2.5, 7.46, null),
    ],
    [
      'oldest wording: the pull only',
      'Successfully pulled image "busybox" in 2m3.5s',
      pulled('busybox', 123.5, null, null),
    ],
    ['oldest wording, hours', 'Successfully pulled image "big" in 1h0m2s', pulled('big', 3602, null, null)],
    ['microseconds (Go writes µs)', 'Successfully pulled image "x" in 950µs', pulled('x', 0.001, null, null)],
    ['already present', 'Container image "busybox:1.36" already present on machine', present('busybox:1.36')],
    [
      'already present, 1.33+ wording',
      'Container image "postgres:15-alpine" already present on machine and can be accessed by the pod',
      present('postgres:15-alpine'),
    ],
    [
      'an escaped quote inside the image (Go %q)',
      'Successfully pulled image "evil\\" in 1s" in 2s',
      pulled('evil" in 1s', 2, null, null),
    ],
    // Hostile or odd: not the kubelet's, so not evidence.
    ['empty', '', null],
    ['the Pulling event', 'Pulling image "nginx"', null],
    ['unquoted image', 'Successfully pulled image nginx in 1s', null],
    ['empty image', 'Successfully pulled image "" in 1s', null],
    ['no duration', 'Successfully pulled image "nginx"', null],
    // Kubernetes before 1.22 said no more (k9s__ev-pulled.json, GKE 2019): a pull, of unknown length.
    ['the wording before durations', 'Successfully pulled image "blang/busybox-bash"', null],
    ['negative duration', 'Successfully pulled image "nginx" in -1s', null],
    ['not a Go duration', 'Successfully pulled image "nginx" in 1.5 seconds', null],
    ['a unit Go does not have', 'Successfully pulled image "nginx" in 3d', null],
    ['total below the pull', 'Successfully pulled image "nginx" in 5s (1s including waiting)', null],
    ['trailing text', 'Successfully pulled image "nginx" in 1s; rm -rf /', null],
    [
      'size without its wording',
      'Successfully pulled image "nginx" in 1s (1s including waiting). Image size: lots',
      null,
    ],
    [
      'a size past 2^53',
      'Successfully pulled image "n" in 1s (1s including waiting). Image size: 99999999999999999999 bytes.',
      null,
    ],
    ['absurd duration', 'Successfully pulled image "n" in 9999999h', null],
    ['cut by the snapshot (ellipsis)', `Successfully pulled image "${'a'.repeat(1100)}…`, null],
    ['a bad escape', 'Successfully pulled image "a\\qb" in 1s', null],
    ['lowercase', 'successfully pulled image "nginx" in 1s', null],
  ])('%s', (_name, message, want) => {
    expect(parsePulledMessage(message)).toStrictEqual(want);
  });

  it('undefined → null', () => {
    expect(parsePulledMessage(undefined)).toBeNull();
  });
});

describe('goDurationSeconds', () => {
  it.each<[string, number | null]>([
    ['0s', 0],
    ['717ms', 0.717],
    ['1.234s', 1.234],
    ['2m3.5s', 123.5],
    ['1h2m3s', 3723],
    ['1.5h', 5400],
    ['500ns', 0],
    ['', null],
    ['1', null],
    ['s', null],
    ['1s ', null],
    ['-1s', null],
  ])('%s → %s', (text, want) => {
    expect(goDurationSeconds(text)).toBe(want);
  });
});
