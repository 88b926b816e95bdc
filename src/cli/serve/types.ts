/** The transport-agnostic shape of one API call, as the shared router takes it (the cloud handler
 * builds it from an API Gateway event, `rankface serve` from an HTTP request). */
export interface ApiRequest {
  readonly method: string;
  /** Path below the API root, e.g. `/people/p_1/faces`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: string | null;
  readonly userId: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type ApiRouter = (req: ApiRequest) => Promise<ApiResponse>;
