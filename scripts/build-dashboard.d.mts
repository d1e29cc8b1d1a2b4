export function dashboardIsStale(): boolean;
export function ensureDashboardBuilt(options?: { quiet?: boolean }): boolean;
