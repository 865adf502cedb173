export { announceConfig, demoRefusal, loadConfig, type LoadedConfig } from './load';
export { ConfigError } from './errors';
export type { Config } from './schema';
export { keys } from './keys';
export { defaultDataDir, policyFilePath, programDataDir } from './paths';
