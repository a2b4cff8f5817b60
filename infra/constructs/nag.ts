/**
 * @module nag
 * cdk-nag (AwsSolutions) acknowledgements, made where the resource they concern is built so
 * the reason sits next to the code. The plugin itself is registered on the app
 * (`infra/app.ts`, `test/infra/nag.test.ts`); a finding without an acknowledgement fails the
 * synthesis.
 *
 * A finding with a bracketed part (`AwsSolutions-IAM5[Resource::*]`) is acknowledged with
 * exactly that part; an acknowledgement covers the construct it is made on and everything
 * below it.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** `<LogicalId>`: how cdk-nag prints a `Ref` to a resource of the same stack in a finding. */
export function nagRef(element: CfnElement): string {
  const stack = Stack.of(element);
  return `<${String(stack.resolve(stack.getLogicalId(element)))}>`;
}

/** The reasons used in more than one place. */
export const NAG_REASONS = {
  runtime:
    'nodejs22.x is pinned on purpose: the build and test toolchain is Node 20 (bundles target node22) and nodejs24.x is not validated yet; nodejs20.x can no longer be deployed.',
  functionAuth:
    'No API Gateway authorizer by design: Kubernetes clients send bearer tokens (static tokens or OIDC ID tokens) and the function authenticates them and authorizes with RBAC, which needs the verb, namespace and resource that an API Gateway authorizer cannot see.',
} as const;
