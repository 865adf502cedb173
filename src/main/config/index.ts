export { loadConfig, type LoadedConfig, type LoadOptions } from './load';
export { ConfigError } from './errors';
export type { Config, Provenance, Source } from './schema';
export { keys, type ConfigKey, type LogLevel } from './keys';
export { defaultDataDir, policyFilePath, settingsFilePath } from './paths';
