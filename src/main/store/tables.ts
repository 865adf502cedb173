import type { Generated } from 'kysely';

/** The schema at its newest version, for kysely's typed queries. Keep in step with migrations/. */
export interface Tables {
  sites: { id: string; name: string; demo: number; created_at: string };
  segments: { id: string; site_id: string; name: string; seq: number };
  valves: {
    id: string;
    site_id: string;
    name: string;
    segment: string;
    state: string;
    position: number | null;
    quality: string;
    local_control: number;
    fault_reason: string | null;
    updated_at: string | null;
    received_at: string | null;
    supports_position: number;
  };
  telemetry_points: {
    id: string;
    site_id: string;
    kind: string;
    unit: string;
    segment: string | null;
    valve_id: string | null;
    last_value: number | null;
    last_quality: string | null;
    last_ts: number | null;
    stale_after_ms: number | null;
  };
  telemetry_samples: { point_id: string; ts: number; value: number; quality: string };
  telemetry_rollups: {
    point_id: string;
    bucket: number;
    min: number;
    max: number;
    mean: number;
    last: number;
    count: number;
  };
  actuation_commands: {
    id: string;
    valve_id: string;
    action: string;
    target_position: number | null;
    state: string;
    reason: string | null;
    operator: string;
    station_id: string;
    correlation_id: string | null;
    issued_at: string;
    expires_at: string;
    updated_at: string;
  };
  command_transitions: { id: Generated<number>; command_id: string; state: string; at: string; detail: string | null };
  alarms: {
    id: string;
    site_id: string;
    source: string;
    priority: string;
    state: string;
    segment: string | null;
    valve_id: string | null;
    message: string;
    raised_at: string;
    cleared_at: string | null;
    acked_at: string | null;
    acked_by: string | null;
    shelved_until: string | null;
    shelved_by: string | null;
    shelve_reason: string | null;
    resolved_at: string | null;
    resolved_by: string | null;
    resolution_note: string | null;
    hlc: string;
    local: number;
    point_id: string | null;
    condition: string | null;
    limit_value: number | null;
    value: number | null;
    suppressed: Generated<number>;
  };
  alarm_journal: {
    id: Generated<number>;
    alarm_id: string;
    at: string;
    transition: string;
    actor: string;
    station_id: string;
    note: string | null;
    event_id: string | null;
    sort_key: string;
    body: string;
  };
  incidents: {
    id: string;
    site_id: string;
    title: string;
    severity: string;
    status: string;
    description: string;
    segment: string | null;
    assignee: string | null;
    created_by: string;
    created_at: string;
    updated_at: string;
    hlc: string;
    field_hlc: string;
  };
  incident_links: { incident_id: string; kind: string; target_id: string };
  incident_timeline: {
    id: string;
    incident_id: string;
    at: string;
    author: string;
    kind: string;
    note: string;
    hlc: string;
    /** The event's body as JSON (null before schema v4). */
    body: string | null;
  };
  handover_reports: {
    id: string;
    site_id: string;
    station_id: string;
    shift_start: string;
    shift_end: string;
    outgoing: string;
    incoming: string | null;
    notes: string;
    content: string;
    created_at: string;
    signed_off_at: string | null;
    acknowledged_at: string | null;
    hlc: string;
  };
  audit_log: {
    id: Generated<number>;
    at: string;
    actor: string;
    station_id: string;
    action: string;
    subject: string | null;
    result: string;
    correlation_id: string | null;
    request_id: string | null;
    detail: string;
    /** v8: the row's link in the hash chain (src/main/audit/chain.ts). */
    hash: string | null;
  };
  outbox: {
    id: string;
    topic: string;
    payload: string;
    qos: number;
    retain: number;
    created_at: string;
    sent_at: string | null;
    attempts: number;
  };
  applied_events: { id: string; applied_at: string };
  api_keys: {
    id: string;
    name: string;
    scope: string;
    hash: string;
    created_at: string;
    revoked_at: string | null;
    last_used_at: string | null;
  };
  operators: {
    username: string;
    display_name: string;
    role: string;
    password_hash: string | null;
    disabled: number;
    failed_attempts: number;
    locked_until: string | null;
    created_at: string;
    /** Site-wide accounts (schema v7, docs/operators.md): null until the account is shared. */
    created_hlc: string | null;
    profile_hlc: string | null;
    /** JSON: per station, its latest disable; and the disables an enable lifted. */
    disables: string;
    lifted: string;
    last_hlc: string | null;
    last_change: string | null;
    last_by: string | null;
    last_station: string | null;
    last_at: string | null;
  };
  alarm_definitions: {
    version: number;
    site_id: string;
    changed_at: string;
    changed_by: string;
    station_id: string;
    reason: string;
    /** JSON: the definitions of this version. */
    definitions: string;
    /** JSON: the management-of-change record, field by field from the version before. */
    changes: string;
  };
}

export type TableName = keyof Tables;
export const tableNames = [
  'sites',
  'segments',
  'valves',
  'telemetry_points',
  'telemetry_samples',
  'telemetry_rollups',
  'actuation_commands',
  'command_transitions',
  'alarms',
  'alarm_journal',
  'incidents',
  'incident_links',
  'incident_timeline',
  'audit_log',
  'outbox',
  'applied_events',
  'api_keys',
  'operators',
  'handover_reports',
  'alarm_definitions',
] as const satisfies readonly TableName[];
