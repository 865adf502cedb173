/** The MQTT link as the operator and health see it. */
export type LinkState =
  | { status: 'not_configured' }
  | { status: 'connecting'; attempt: number; since: string }
  | { status: 'online'; since: string }
  | { status: 'offline'; since: string; nextAttemptAt: string; reason: string }
  | { status: 'auth_failed'; since: string; nextAttemptAt: string; reason: string }
  | { status: 'stopped' };

export type LinkStatus = LinkState['status'];
