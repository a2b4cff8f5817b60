/**
 * @module config
 * Cluster-level image settings the ImageStream rules depend on (OpenShift's
 * `imagePolicyConfig`). Passed in; never read from the environment here.
 */
import type { AllowedRegistry } from './registry-allowlist.js';

export type ImportMode = 'Legacy' | 'PreserveOriginal';

export interface ImageConfig {
  /** Internal registry hostname (IRH), e.g. `image-registry.openshift-image-registry.svc:5000`. */
  readonly internalRegistryHostname?: string;
  /** First external registry hostname (ERH). */
  readonly publicRegistryHostname?: string;
  /** Import mode given to spec tags that do not set one. */
  readonly defaultImportMode: ImportMode;
  /**
   * `allowedRegistriesForImport` (§4.4). Unset or empty: every registry is allowed and the
   * allow-list rules (R11, R14, R19 Forbidden) never fire.
   */
  readonly allowedRegistriesForImport?: readonly AllowedRegistry[];
}

export const DEFAULT_IMAGE_CONFIG: ImageConfig = { defaultImportMode: 'Legacy' };
