/** The Sparkplug B topic namespace (specification chapter 4). */
export const NAMESPACE = 'spBv1.0';

export type Verb = 'NBIRTH' | 'NDEATH' | 'DBIRTH' | 'DDEATH' | 'NDATA' | 'DDATA' | 'NCMD' | 'DCMD';
const VERBS = new Set<string>(['NBIRTH', 'NDEATH', 'DBIRTH', 'DDEATH', 'NDATA', 'DDATA', 'NCMD', 'DCMD']);
const DEVICE_VERBS = new Set<string>(['DBIRTH', 'DDEATH', 'DDATA', 'DCMD']);

export type SparkplugTopic =
  { kind: 'state'; hostId: string } | { kind: 'edge'; verb: Verb; group: string; node: string; device: string | null };

/**
 * `spBv1.0/STATE/<host_id>` or `spBv1.0/<group>/<verb>/<node>[/<device>]`; null for anything
 * else (a verb that needs a device without one, or one that takes none with one).
 */
export function parseTopic(topic: string): SparkplugTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== NAMESPACE) return null;
  if (parts[1] === 'STATE') return parts.length === 3 && parts[2] ? { kind: 'state', hostId: parts[2] } : null;
  const [, group, verb, node, device] = parts;
  if (!group || !verb || !node || !VERBS.has(verb) || parts.length > 5) return null;
  const needsDevice = DEVICE_VERBS.has(verb);
  if (needsDevice !== (device !== undefined) || device === '') return null;
  return { kind: 'edge', verb: verb as Verb, group, node, device: device ?? null };
}

export const stateTopic = (hostId: string) => `${NAMESPACE}/STATE/${hostId}`;
export const edgeTopic = (group: string, verb: Verb, node: string, device?: string | null) =>
  `${NAMESPACE}/${group}/${verb}/${node}${device ? `/${device}` : ''}`;
