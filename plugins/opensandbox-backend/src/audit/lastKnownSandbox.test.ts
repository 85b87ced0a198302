import {
  AuthorizeResult,
  PermissionCondition,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { allowsLastKnown, reconstructedSandbox } from './lastKnownSandbox';

const leaf = (
  rule: string,
  params: Record<string, unknown> = {},
): PermissionCondition =>
  ({
    rule,
    resourceType: 'opensandbox-sandbox',
    params,
  } as PermissionCondition);
const conditional = (conditions: any): PolicyDecision =>
  ({
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'opensandbox',
    resourceType: 'opensandbox-sandbox',
    conditions,
  } as PolicyDecision);
/** The ownership rules answer from a fixed table; others are never asked. */
const answers =
  (table: Record<string, boolean>) => (condition: PermissionCondition) => {
    if (!(condition.rule in table)) throw new Error(`asked ${condition.rule}`);
    return table[condition.rule];
  };

describe('allowsLastKnown', () => {
  it('allows ALLOW and refuses DENY without looking at conditions', () => {
    expect(
      allowsLastKnown({ result: AuthorizeResult.ALLOW }, answers({})),
    ).toBe(true);
    expect(allowsLastKnown({ result: AuthorizeResult.DENY }, answers({}))).toBe(
      false,
    );
  });

  it('answers ownership rules and treats metadata and state rules as unknown (fail closed)', () => {
    const owner = leaf('IS_OWNER');
    const team = leaf('IS_TEAM_MEMBER');
    const state = leaf('IS_IN_STATE');
    const meta = leaf('HAS_METADATA');
    expect(
      allowsLastKnown(
        conditional({ anyOf: [owner, team] }),
        answers({ IS_OWNER: false, IS_TEAM_MEMBER: true }),
      ),
    ).toBe(true);
    expect(
      allowsLastKnown(
        conditional({ anyOf: [owner, team] }),
        answers({ IS_OWNER: false, IS_TEAM_MEMBER: false }),
      ),
    ).toBe(false);
    // true OR unknown = true; true AND unknown = unknown (deny); NOT unknown = unknown (deny).
    expect(
      allowsLastKnown(
        conditional({ anyOf: [team, state] }),
        answers({ IS_TEAM_MEMBER: true }),
      ),
    ).toBe(true);
    expect(
      allowsLastKnown(
        conditional({ allOf: [team, state] }),
        answers({ IS_TEAM_MEMBER: true }),
      ),
    ).toBe(false);
    expect(
      allowsLastKnown(
        conditional({ allOf: [team, { not: meta }] }),
        answers({ IS_TEAM_MEMBER: true }),
      ),
    ).toBe(false);
    // NOT of a known false is true.
    expect(
      allowsLastKnown(
        conditional({ not: owner }),
        answers({ IS_OWNER: false }),
      ),
    ).toBe(true);
    expect(allowsLastKnown(conditional(state), answers({}))).toBe(false);
  });
});

describe('reconstructedSandbox', () => {
  it('has the recorded ownership, no metadata and an unknown state', () => {
    expect(
      reconstructedSandbox('sbx-1', 'default', {
        owner: 'user:default/ada',
        team: 'group:default/team-a',
      }),
    ).toEqual({
      id: 'sbx-1',
      server: 'default',
      metadata: {},
      status: { state: 'Unknown' },
      ownership: { owner: 'user:default/ada', team: 'group:default/team-a' },
    });
    expect(reconstructedSandbox('sbx-2', 'default', {})).not.toHaveProperty(
      'ownership',
    );
  });
});
