/**
 * @module user
 * The authenticated identity of a request (Kubernetes `user.Info`).
 */
export interface UserInfo {
  readonly name: string;
  readonly uid?: string;
  readonly groups: readonly string[];
}
