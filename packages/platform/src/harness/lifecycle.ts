/** Where a data product is in its life on the platform (the control interface moves it). */
export const lifecycleStates = ["draft", "active", "paused", "stopped"] as const;
export const controlActions = ["start", "stop", "pause", "resume", "configure"] as const;
export type LifecycleState = (typeof lifecycleStates)[number];
export type ControlAction = (typeof controlActions)[number];

/**
 * Every allowed transition, in one table: state → action → next state. An action missing from a
 * state's row is refused (409) with the actions that row does allow. `configure` keeps the state.
 */
export const transitions: Record<LifecycleState, Partial<Record<ControlAction, LifecycleState>>> = {
  draft: { start: "active", configure: "draft" },
  active: { pause: "paused", stop: "stopped", configure: "active" },
  paused: { resume: "active", stop: "stopped", configure: "paused" },
  stopped: { start: "active", configure: "stopped" },
};

/** What each state means for reads and for scheduled contract tests. */
export const stateEffects: Record<LifecycleState, { servesReads: boolean; runsTests: boolean; why: string }> = {
  draft: { servesReads: false, runsTests: false, why: "is a draft; start it to serve reads" },
  active: { servesReads: true, runsTests: true, why: "is active" },
  paused: { servesReads: false, runsTests: false, why: "is paused; resume it to serve reads" },
  stopped: { servesReads: false, runsTests: false, why: "is stopped; start it to serve reads" },
};

/** ODPS status → the state a product has before any control action (no lifecycle row yet). */
const byOdpsStatus: Record<string, LifecycleState> = { proposed: "draft", draft: "draft", retired: "stopped" };

export function initialState(odpsStatus: string): LifecycleState {
  return byOdpsStatus[odpsStatus.toLowerCase()] ?? "active";
}

export function allowedActions(state: LifecycleState): ControlAction[] {
  return controlActions.filter((a) => transitions[state][a] !== undefined);
}
