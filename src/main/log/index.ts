export { createLogger, silentLogger, type Logger, type LogSink, type Fields } from './logger';
export { streamSink, fileSink, memorySink } from './sinks';
export type { LogRecord } from './format';
