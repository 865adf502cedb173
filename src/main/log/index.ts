export { createLogger, silentLogger, type Logger, type LogSink } from './logger';
export { streamSink, fileSink, memorySink } from './sinks';
export { guardTick } from './tick';
