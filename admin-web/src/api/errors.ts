// The API's error contract, `{"error": "<Code>", "detail": "<text>"}` (422: `detail` is FastAPI's list),
// turned into one error class the pages can show and the forms can spread over their fields.

/** One item of a 422 answer's `detail` list. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  ctx?: Record<string, string>;
}

export class ApiError extends Error {
  /** HTTP status; 0 when the request never got an answer. */
  readonly status: number;
  /** The API's error code (`LocationNameTaken`), or `NetworkError` / `HttpError` when there was none. */
  readonly code: string;
  /** Field path (`name`, `settings.inbound_ids.0`) to the validation issues about it (422 only). */
  readonly issues: Record<string, ValidationIssue[]>;

  constructor(status: number, code: string, message: string, issues: Record<string, ValidationIssue[]> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.issues = issues;
  }

  /** True when the error is about specific fields of the sent body. */
  get hasFieldIssues(): boolean {
    return Object.keys(this.issues).length > 0;
  }
}

function isIssue(value: unknown): value is ValidationIssue {
  return (
    typeof value === "object" &&
    value !== null &&
    Array.isArray((value as ValidationIssue).loc) &&
    typeof (value as ValidationIssue).msg === "string"
  );
}

/** `["body", "settings", "inbound_ids", 0]` -> `settings.inbound_ids.0`; query/path errors keep their place. */
export function issuePath(loc: (string | number)[]): string {
  const [where, ...rest] = loc;
  if (where === "body") return rest.length ? rest.join(".") : "";
  return loc.join(".");
}

/** Build an ApiError from an HTTP status and the parsed body (any shape, even none). */
export function toApiError(status: number, body: unknown): ApiError {
  if (typeof body === "object" && body !== null) {
    const { error, detail } = body as { error?: unknown; detail?: unknown };
    if (Array.isArray(detail)) {
      const issues: Record<string, ValidationIssue[]> = {};
      for (const item of detail.filter(isIssue)) {
        const path = issuePath(item.loc);
        (issues[path] ??= []).push(item);
      }
      const first = detail.find(isIssue);
      return new ApiError(status, typeof error === "string" ? error : "ValidationError", first?.msg ?? "Invalid request", issues);
    }
    if (typeof error === "string") {
      return new ApiError(status, error, typeof detail === "string" ? detail : error);
    }
    if (typeof detail === "string") return new ApiError(status, "HttpError", detail);
  }
  return new ApiError(status, "HttpError", `HTTP ${status}`);
}

/** A failure to reach the API at all (offline, DNS, refused). */
export function networkError(cause: unknown): ApiError {
  const err = new ApiError(0, "NetworkError", cause instanceof Error ? cause.message : "Network error");
  return err;
}

type Translate = (key: string, params?: Record<string, unknown>) => string;
type HasKey = (key: string) => boolean;

/** The message for one validation issue in the admin's language (pydantic's English text as a fallback). */
export function describeIssue(issue: ValidationIssue, t: Translate, te: HasKey): string {
  // An empty required text comes back as "at least 1 character".
  if (issue.type === "string_too_short" && issue.ctx?.min_length === "1") return t("validation.required");
  const key = `validation.server.${issue.type}`;
  if (te(key)) return t(key, issue.ctx ?? {});
  return issue.msg.replace(/^Value error, /, "");
}

/** Field path -> message, ready for a form's setErrors. */
export function fieldErrors(error: ApiError, t: Translate, te: HasKey): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, issues] of Object.entries(error.issues)) {
    const first = issues[0];
    if (first) out[path] = describeIssue(first, t, te);
  }
  return out;
}

/** A sentence for any error, translated when the code is known. */
export function errorMessage(error: unknown, t: Translate, te: HasKey): string {
  if (error instanceof ApiError) {
    const key = `errors.codes.${error.code}`;
    if (te(key)) return t(key, { detail: error.message });
    if (error.status >= 500) return t("errors.server");
    return error.message;
  }
  return t("errors.unexpected");
}
