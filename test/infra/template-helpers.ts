/**
 * @module template-helpers
 * Reading synthesized CloudFormation in the infra tests: apps in temporary directories,
 * settings from a context map, the
 * REST API's resource tree as paths, methods with the function they invoke, and the
 * statements of the IAM policies attached to a function's role.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { readSettings, type ContextKey, type DeploySettings } from '../../infra/stacks/settings.js';

const outdirs: string[] = [];

/**
 * An App whose cloud assembly goes to a temporary directory that `removeTestApps` deletes.
 * CDK's built-in CloudFormation validation (about 4 s per synthesis of the whole app) is off
 * unless asked for: `nag.test.ts` runs it, with cdk-nag, on the complete app.
 */
export function testApp(context: Record<string, unknown> = {}, opts: { validate?: boolean } = {}): App {
  const outdir = mkdtempSync(path.join(tmpdir(), 'infra-test-'));
  outdirs.push(outdir);
  return new App({ outdir, context, builtinCloudFormationValidation: opts.validate ?? false });
}

/** Deletes the assembly directories of every `testApp` (call from `afterAll`). */
export function removeTestApps(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function settingsFrom(context: Partial<Record<ContextKey, unknown>> = {}): DeploySettings {
  return readSettings((k) => context[k]);
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export function resources(template: Template, type?: string): Record<string, CfnResource> {
  const all = (template.toJSON() as { Resources: Record<string, CfnResource> }).Resources;
  return Object.fromEntries(Object.entries(all).filter(([, r]) => type === undefined || r.Type === type));
}

export function only<T>(items: readonly T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0]!;
}

/** The logical id in `{"Ref": id}` or `{"Fn::GetAtt": [id, attr]}`. */
export function refId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['Ref'] === 'string') return v['Ref'];
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/** Full path (`/apis/image.openshift.io/v1`) of every AWS::ApiGateway::Resource, by logical id. */
export function resourcePaths(template: Template): Map<string, string> {
  const res = resources(template, 'AWS::ApiGateway::Resource');
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const r = res[id];
    if (!r?.Properties) throw new Error(`no resource ${id}`);
    const parent = r.Properties['ParentId'];
    const parentId = refId(parent);
    // The root resource is `{"Fn::GetAtt": [RestApi, "RootResourceId"]}`.
    const parentPath = parentId !== undefined && res[parentId] ? pathOf(parentId) : '';
    const p = `${parentPath}/${String(r.Properties['PathPart'])}`;
    paths.set(id, p);
    return p;
  };
  for (const id of Object.keys(res)) pathOf(id);
  return paths;
}

export interface SynthMethod {
  readonly logicalId: string;
  readonly path: string;
  readonly httpMethod: string;
  readonly integration: Record<string, unknown>;
  /** Logical id of the Lambda function the integration URI points at. */
  readonly functionId: string | undefined;
  readonly streamingUri: boolean;
}

function flattenJoin(value: unknown): unknown[] {
  if (typeof value === 'string') return [value];
  const join = (value as Record<string, unknown> | null)?.['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) return join[1] as unknown[];
  return [value];
}

export function apiMethods(template: Template): SynthMethod[] {
  const paths = resourcePaths(template);
  return Object.entries(resources(template, 'AWS::ApiGateway::Method')).map(([logicalId, m]) => {
    const p = m.Properties ?? {};
    const resourceId = refId(p['ResourceId']);
    const path = resourceId !== undefined && paths.has(resourceId) ? paths.get(resourceId)! : '/';
    const integration = (p['Integration'] ?? {}) as Record<string, unknown>;
    const parts = flattenJoin(integration['Uri']);
    const functionId = parts.filter((x) => (x as Record<string, unknown> | null)?.['Fn::GetAtt'] !== undefined).map(refId)[0];
    const streamingUri = parts.some((s) => typeof s === 'string' && s.includes('/response-streaming-invocations'));
    return { logicalId, path, httpMethod: String(p['HttpMethod']), integration, functionId, streamingUri };
  });
}

export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** The logical id of a construct's CloudFormation resource (its default child, or itself). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  const stack = Stack.of(element);
  return stack.resolve(stack.getLogicalId(element)) as string;
}

/** Outputs of a template, by key. */
export function outputsOf(template: Template): Record<string, { Value: unknown; Description?: string; Export?: { Name: string } }> {
  return (template.toJSON() as { Outputs?: Record<string, { Value: unknown; Description?: string; Export?: { Name: string } }> }).Outputs ?? {};
}

/** The bundle directory of a synthesized function (its asset in the assembly) and its files. */
export function bundleOf(app: App, fn: CfnResource): { dir: string; files: string[]; bytes: number } {
  const code = fn.Properties?.['Code'] as { S3Key: string };
  const dir = path.join(app.outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
  const files = readdirSync(dir).sort();
  return { dir, files, bytes: statSync(path.join(dir, 'index.mjs')).size };
}

/** Every statement of the AWS::IAM::Policy resources attached to a role. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  return Object.values(resources(template, 'AWS::IAM::Policy'))
    .filter((p) => ((p.Properties?.['Roles'] as unknown[]) ?? []).some((r) => refId(r) === roleId))
    .flatMap((p) => (p.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement);
}

/** What a `{"Fn::ImportValue": name}` refers to: the exported output's value in one of `exporters`. */
export function importedFrom(exporters: readonly Template[], value: unknown): unknown {
  const name = (value as Record<string, unknown> | null)?.['Fn::ImportValue'];
  if (typeof name !== 'string') return undefined;
  for (const t of exporters) {
    const found = Object.values(outputsOf(t)).find((o) => o.Export?.Name === name);
    if (found) return found.Value;
  }
  return undefined;
}

/** No IAM statement of the template grants a wildcard action or resource; no role has a managed policy. */
export function expectLeastPrivilege(template: Template): void {
  for (const p of Object.values(resources(template, 'AWS::IAM::Policy'))) {
    for (const s of (p.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement) {
      for (const a of actionsOf(s)) expect(a).not.toContain('*');
      expect(s.Resource).not.toBe('*');
    }
  }
  for (const r of Object.values(resources(template, 'AWS::IAM::Role'))) expect(r.Properties?.['ManagedPolicyArns']).toBeUndefined();
}
