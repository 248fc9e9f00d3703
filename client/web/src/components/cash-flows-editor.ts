/**
 * The Cash flows tab's scenario editor: a picker of the deal's scenarios (base, the deal's named
 * stresses, your saved scenarios) and the chosen scenario's drivers (a flat value, or a vector
 * written "1:95, 13:80" = 95 from month 1, 80 from month 13), tenant defaults and refinancing.
 *
 * It fills the fields from a scenario and reads them back as a ScenarioInput, or as the reason
 * they cannot run. It never calls the API: the tab loads the scenarios and runs the projection.
 * Every input has a <label for>.
 */
import type { DealScenarios, ScenarioInput } from '../../../sdk/index.js';
import { h, replace } from '../ui/dom.js';
import { DRIVER_FIELDS, driverText, parseDefaults, parseDriver, type DriverKey } from './cash-flows-model.js';

let ids = 0;
/** A label tied to its input by id (the tab's other fields use it too, so the ids stay unique). */
export function labelled(text: string, input: HTMLElement, extra?: HTMLElement | null): HTMLElement {
  if (!input.id) input.id = `cf-${++ids}`;
  return h('div', { class: 'cf-field' }, h('label', { for: input.id }, text), input, extra ?? null);
}

export interface ScenarioEditor {
  /** Choosing a scenario fills the fields with it; the tab listens too, to run it. */
  picker: HTMLSelectElement;
  /** The editor's fields in form order: scenario, drivers, tenant defaults, refinancing. */
  fields: HTMLElement[];
  /** The name to save the edited scenario under (empty for base and the deal's stresses). */
  saveName: HTMLInputElement;
  /** Lists the scenarios in the picker and keeps `select` (else the current choice, else base) chosen. */
  list(scenarios: DealScenarios, select?: string): void;
  /** Fills the fields with the scenario's values over the base's. */
  fill(name: string): void;
  /** The scenario the fields describe, or the reason it cannot run. */
  read(): ScenarioInput | string;
}

export function scenarioEditor(): ScenarioEditor {
  const picker = h('select', { testid: 'cf-scenario' });
  const drivers = new Map<DriverKey, HTMLInputElement>(
    DRIVER_FIELDS.map((d) => [d.key, h('input', { class: 'num', testid: `cf-${d.key}`, autocomplete: 'off' })]),
  );
  const defaults = h('textarea', { rows: 2, testid: 'cf-defaults', placeholder: 'Northwind AI, 24, 40' });
  const refinance = h(
    'select',
    { testid: 'cf-refinance' },
    h('option', { value: 'true' }, 'At the ARD'),
    h('option', { value: 'false' }, 'Never (sweep to legal final)'),
    h('option', { value: 'month' }, 'In a month…'),
  );
  const refinanceMonth = h('input', { class: 'num', testid: 'cf-refinance-month', inputmode: 'numeric', placeholder: 'month' });
  const refinanceField = labelled('Refinance in month (1 = the first projected month)', refinanceMonth);
  const saveName = h('input', { testid: 'cf-save-name', placeholder: 'my-stress', autocomplete: 'off', maxlength: 60 });

  let scenarios: DealScenarios | null = null;

  const scenarioByName = (name: string): ScenarioInput => {
    if (!scenarios || name === 'base') return { name: 'base' };
    const stress = scenarios.stresses.find((s) => s.name === name);
    if (stress) return stress;
    const saved = scenarios.saved.find((s) => s.name === name);
    return saved ? { ...saved.scenario, name: saved.name } : { name };
  };

  const fill = (name: string) => {
    const base = scenarios?.base ?? { name: 'base' };
    const chosen = scenarioByName(name);
    for (const { key } of DRIVER_FIELDS) drivers.get(key)!.value = driverText(chosen[key] ?? base[key]);
    defaults.value = (chosen.tenantDefaults ?? []).map((d) => `${d.tenant}, ${d.month}, ${d.recoveryPercent}`).join('\n');
    const refi = chosen.refinanceAtArd ?? base.refinanceAtArd ?? true;
    refinance.value = typeof refi === 'number' ? 'month' : String(refi);
    refinanceMonth.value = typeof refi === 'number' ? String(refi) : '';
    refinanceField.hidden = refinance.value !== 'month';
    saveName.value = name === 'base' || scenarios?.stresses.some((s) => s.name === name) ? '' : name;
  };

  const read = (): ScenarioInput | string => {
    const scenario: ScenarioInput = { name: picker.value };
    for (const { key, label } of DRIVER_FIELDS) {
      const text = drivers.get(key)!.value;
      if (text.trim() === '') continue;
      const parsed = parseDriver(text);
      if (typeof parsed === 'object' && 'problem' in parsed) return `${label}: ${parsed.problem}`;
      scenario[key] = parsed;
    }
    const parsedDefaults = parseDefaults(defaults.value);
    if (parsedDefaults && 'problem' in parsedDefaults) return `Tenant defaults: ${parsedDefaults.problem}`;
    if (parsedDefaults && parsedDefaults.length > 0) scenario.tenantDefaults = parsedDefaults;
    if (refinance.value === 'month') {
      if (!/^[1-9]\d*$/.test(refinanceMonth.value.trim())) return 'Refinance month: a whole number of months from 1';
      scenario.refinanceAtArd = Number(refinanceMonth.value.trim());
    } else scenario.refinanceAtArd = refinance.value === 'true';
    return scenario;
  };

  const list = (loaded: DealScenarios, select?: string) => {
    scenarios = loaded;
    const current = select ?? picker.value ?? 'base';
    replace(
      picker,
      h('option', { value: 'base' }, 'base'),
      loaded.stresses.length > 0
        ? h(
            'optgroup',
            { label: 'Deal stresses' },
            loaded.stresses.map((s) => h('option', { value: s.name ?? '' }, s.name ?? '')),
          )
        : null,
      loaded.saved.length > 0
        ? h(
            'optgroup',
            { label: 'Your saved scenarios' },
            loaded.saved.map((s) => h('option', { value: s.name }, s.name)),
          )
        : null,
    );
    picker.value = [...picker.options].some((o) => o.value === current) ? current : 'base';
  };

  picker.addEventListener('change', () => fill(picker.value));
  refinance.addEventListener('change', () => {
    refinanceField.hidden = refinance.value !== 'month';
  });

  const fields = [
    labelled('Scenario', picker),
    h(
      'fieldset',
      { class: 'cf-drivers' },
      h('legend', {}, 'Drivers (a number, or month:value steps such as 1:95, 13:80)'),
      DRIVER_FIELDS.map((d) => labelled(d.label, drivers.get(d.key)!)),
    ),
    labelled('Tenant defaults (tenant, month, recovery % — one a line)', defaults),
    labelled('Refinancing', refinance),
    refinanceField,
  ];
  return { picker, fields, saveName, list, fill, read };
}
