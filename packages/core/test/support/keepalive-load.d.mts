export interface LoadSummary {
  requests: number;
  ok: number;
  badStatus: number;
  errors: { ECONNRESET: number; ECONNREFUSED: number; other: number };
  otherErrors: string[];
  afterMark: { responses: number; withoutConnectionClose: number };
}

export interface KeepAliveLoad {
  readonly summary: LoadSummary;
  mark(): void;
  stop(): Promise<LoadSummary>;
}

export function startKeepAliveLoad(options: {
  port: number;
  host?: string;
  clients?: number;
  path?: string;
}): KeepAliveLoad;
