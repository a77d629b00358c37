import { describe, expect, it } from "vitest";
import { diffContracts } from "./contract-diff.js";
import { diffProducts } from "./product-diff.js";

const contract = (team: unknown) => ({ apiVersion: "v3.1.0", kind: "DataContract", id: "c", version: "1.0.0", team });
const lines = (before: unknown, after: unknown) =>
  diffContracts(contract(before), contract(after)).map((c) => `${c.kind}: ${c.message}`);

describe("team history", () => {
  it("says who joined and when", () => {
    expect(lines({ members: [] }, { members: [{ username: "bob", role: "Owner", dateIn: "2024-03-01" }] })).toEqual([
      "team-member-joined: bob joined as Owner on 2024-03-01",
    ]);
  });

  it("says who left, by dateOut (history kept) or by removal", () => {
    const alice = { username: "alice", role: "Owner", dateIn: "2023-01-01" };
    expect(lines({ members: [alice] }, { members: [{ ...alice, dateOut: "2024-02-29" }] })).toEqual([
      "team-member-left: alice left (Owner) on 2024-02-29",
    ]);
    expect(lines({ members: [alice] }, { members: [] })).toEqual([
      "team-member-left: alice left (Owner) (removed from the member list)",
    ]);
  });

  it("pairs a departure with the named successor (replacedByUsername)", () => {
    const before = { members: [{ username: "ceastwood", role: "Data Scientist", dateIn: "2022-08-02" }] };
    const after = {
      members: [
        {
          username: "ceastwood",
          role: "Data Scientist",
          dateIn: "2022-08-02",
          dateOut: "2022-10-01",
          replacedByUsername: "mhopper",
        },
        { username: "mhopper", role: "Data Scientist", dateIn: "2022-10-01" },
        { username: "daustin", role: "Owner", dateIn: "2022-10-01" },
      ],
    };
    expect(lines(before, after)).toEqual([
      "team-member-replaced: Data Scientist: ceastwood replaced by mhopper (joined 2022-10-01) (left 2022-10-01)",
      "team-member-joined: daustin joined as Owner on 2022-10-01",
    ]);
  });

  it("pairs a departure with an arrival in the same role (same role, different person)", () => {
    const before = {
      members: [
        { username: "alice", role: "owner" },
        { username: "sam", role: "steward" },
      ],
    };
    const after = {
      members: [
        { username: "bob", role: "Owner", dateIn: "2024-07-01" },
        { username: "sam", role: "steward" },
      ],
    };
    expect(lines(before, after)).toEqual(["team-member-replaced: owner: alice replaced by bob (joined 2024-07-01)"]);
  });

  it("reports a role change of the same person", () => {
    expect(
      lines([{ username: "sam", role: "steward" }], [{ username: "sam", role: "owner", dateIn: "2024-01-01" }]),
    ).toEqual([
      'team-member-role-changed: sam: role changed from "steward" to "owner" on 2024-01-01',
      "team-member-changed: sam: dateIn changed",
    ]);
  });

  it("hands over to someone already on the team", () => {
    const before = [
      { username: "alice", role: "owner" },
      { username: "bob", role: "steward" },
    ];
    const after = [
      { username: "alice", role: "owner", dateOut: "2024-05-01", replacedByUsername: "bob" },
      { username: "bob", role: "steward" },
    ];
    expect(lines(before, after)).toEqual(["team-member-replaced: owner: alice replaced by bob on 2024-05-01"]);
  });

  it("reads the v3.0 team array and the v3.1 team object alike", () => {
    const members = [{ username: "alice", role: "owner" }];
    expect(lines(members, { name: "orders", members })).toEqual(['team-changed: team: name added: "orders"']);
    const changes = diffContracts(contract(members), contract([...members, { username: "bob" }]));
    expect(changes[0]?.at.after).toEqual(["team", 1]);
    const changes31 = diffContracts(contract({ members }), contract({ members: [...members, { username: "bob" }] }));
    expect(changes31[0]?.at.after).toEqual(["team", "members", 1]);
    expect(changes31[0]?.path).toBe("team.members[bob]");
  });

  it("does not call tidying the history a departure", () => {
    const gone = { username: "old", role: "owner", dateOut: "2020-01-01" };
    expect(lines({ members: [gone] }, { members: [] })).toEqual([
      "team-member-changed: old removed from the member list (had left on 2020-01-01)",
    ]);
  });

  it("works for data products (ODPS team)", () => {
    const p = (members: unknown[]) => ({ apiVersion: "v1.0.0", kind: "DataProduct", id: "p", team: { members } });
    const changes = diffProducts(p([{ username: "a", role: "owner" }]), p([{ username: "b", role: "owner" }]));
    expect(changes.map((c) => c.kind)).toEqual(["team-member-replaced"]);
    expect(changes[0]?.severity).toBe("patch");
  });
});
