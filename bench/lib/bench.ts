import type { Figure } from './report';

export interface BenchOptions {
  quick: boolean;
  /** Runs per figure (the median of them is reported). */
  runs: number;
  root: string;
  log: (line: string) => void;
}

export interface Bench {
  id: string;
  title: string;
  run(o: BenchOptions): Promise<Figure[]>;
}
