/**
 * The series Warden publishes for every configured component (1 critical, 0 not), so rules can
 * tell critical components apart with `on(component)` (spec §11.1). Same name as the evaluation
 * loop's COMPONENT_CRITICAL_METRIC (a test keeps them equal); kept here so rules import nothing
 * from the outer evaluation stage.
 */
export const COMPONENT_CRITICAL_METRIC = 'warden_component_critical';
