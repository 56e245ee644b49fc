// Operator: the route table. Rules in order, the first that matches a message chooses its providers; the default
// rule, last, takes the rest. Add, edit, move up or down, remove.
import type { FormEvent } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RouteRuleView, RouteTableView } from '../../../../src/http/dashboard/contract.js';
import { api } from '../../api.js';
import { Icon } from '../../components/icons.js';
import { useToast } from '../../components/toast.js';
import {
  Badge,
  Card,
  ErrorBanner,
  fieldErrors,
  formLevelError,
  Loading,
  PageHeader,
  SelectField,
  TextField,
} from '../../components/ui.js';
import { useResource, useSubmit, useTitle } from '../../hooks.js';
import { RouteSimulationCard } from './RouteSimulation.js';

type Translate = ReturnType<typeof useTranslation>['t'];

const FIELDS = [
  'strategy',
  'providers',
  'mcc',
  'mnc',
  'prefix',
  'account_id',
  'type',
  'sender_kind',
  'min_delivery',
  'max_latency_ms',
  'min_reports',
  'loss',
  'position',
] as const;
type Form = Record<(typeof FIELDS)[number], string>;

const EMPTY: Form = {
  strategy: 'failover',
  providers: '',
  mcc: '',
  mnc: '',
  prefix: '',
  account_id: '',
  type: '',
  sender_kind: '',
  min_delivery: '',
  max_latency_ms: '',
  min_reports: '',
  loss: 'send',
  position: '',
};

const SENDING_TYPES = ['default', 'infobip', 'twilio', 'messente', 'trumpia'];

function formOf(rule: RouteRuleView): Form {
  const text = (value: number | string | null) => (value === null ? '' : String(value));
  return {
    strategy: rule.strategy,
    providers: rule.providers.join(','),
    mcc: text(rule.mcc),
    mnc: text(rule.mnc),
    prefix: text(rule.prefix),
    account_id: text(rule.account_id),
    type: text(rule.type),
    sender_kind: text(rule.sender_kind),
    min_delivery: rule.min_delivery_ppm === null ? '' : String(rule.min_delivery_ppm / 10_000),
    max_latency_ms: text(rule.max_latency_ms),
    min_reports: text(rule.min_reports),
    loss: rule.loss,
    position: '',
  };
}

function matchText(t: Translate, rule: RouteRuleView): string {
  if (rule.default) return t('routes.everythingElse');
  const parts: string[] = [];
  if (rule.mcc !== null) parts.push(t('routes.matchNetwork', { mcc: rule.mcc, mnc: rule.mnc ?? '*' }));
  if (rule.prefix !== null) parts.push(t('routes.matchPrefix', { prefix: rule.prefix }));
  if (rule.account_id !== null) parts.push(t('routes.matchAccount', { id: rule.account_id }));
  if (rule.type !== null) parts.push(t('routes.matchType', { type: rule.type }));
  if (rule.sender_kind !== null) parts.push(senderText(t, rule.sender_kind));
  return parts.length === 0 ? t('routes.everything') : parts.join(', ');
}

function strategyText(t: Translate, strategy: string): string {
  if (strategy === 'fixed') return t('routes.strategyFixed');
  if (strategy === 'least_cost') return t('routes.strategyLeastCost');
  return t('routes.strategyFailover');
}

function senderText(t: Translate, kind: string): string {
  return kind === 'numeric' ? t('routes.senderNumeric') : t('routes.senderAlphanumeric');
}

function RuleForm({
  form,
  setForm,
  isDefault,
  error,
}: {
  readonly form: Form;
  readonly setForm: (form: Form) => void;
  readonly isDefault: boolean;
  readonly error: unknown;
}) {
  const { t } = useTranslation();
  const input = (name: keyof Form, label: string, extra: { hint?: string; disabled?: boolean } = {}) => (
    <TextField
      label={label}
      name={name}
      value={form[name]}
      disabled={extra.disabled}
      hint={extra.hint}
      onChange={(event) => setForm({ ...form, [name]: event.target.value })}
      errors={fieldErrors(error, name)}
    />
  );
  const select = (name: keyof Form, label: string, options: readonly [string, string][], disabled = false) => (
    <SelectField
      label={label}
      name={name}
      value={form[name]}
      disabled={disabled}
      onChange={(event) => setForm({ ...form, [name]: event.target.value })}
      errors={fieldErrors(error, name)}
    >
      {options.map(([value, text]) => (
        <option key={value} value={value}>
          {text}
        </option>
      ))}
    </SelectField>
  );
  return (
    <div className="form-grid">
      {select(
        'strategy',
        t('routes.strategy'),
        ['fixed', 'failover', 'least_cost'].map((s) => [s, strategyText(t, s)]),
      )}
      {input('providers', t('routes.providers'), { hint: t('routes.providersHint') })}
      {input('mcc', t('routes.mcc'), { disabled: isDefault })}
      {input('mnc', t('routes.mnc'), { disabled: isDefault })}
      {input('prefix', t('routes.prefix'), { disabled: isDefault })}
      {input('account_id', t('routes.account'), { disabled: isDefault })}
      {select(
        'type',
        t('routes.type'),
        [['', t('routes.anyType')], ...SENDING_TYPES.map((type): [string, string] => [type, type])],
        isDefault,
      )}
      {select(
        'sender_kind',
        t('routes.senderKind'),
        [
          ['', t('routes.anySender')],
          ['alphanumeric', senderText(t, 'alphanumeric')],
          ['numeric', senderText(t, 'numeric')],
        ],
        isDefault,
      )}
      {input('min_delivery', t('routes.minDelivery'))}
      {input('max_latency_ms', t('routes.maxLatency'))}
      {input('min_reports', t('routes.minReports'))}
      {select('loss', t('routes.loss'), [
        ['send', t('routes.lossSend')],
        ['refuse', t('routes.lossRefuse')],
      ])}
    </div>
  );
}

export function AdminRoutesPage() {
  const { t } = useTranslation();
  useTitle(t('routes.title'));
  const toast = useToast();
  const table = useResource<RouteTableView>('/admin/routes');
  const [form, setForm] = useState<Form>(EMPTY);
  const [editing, setEditing] = useState<RouteRuleView | null>(null);
  const save = useSubmit(async () => {
    const body = Object.fromEntries(Object.entries(form).filter(([, value]) => value.trim() !== ''));
    if (editing) {
      await api.post<RouteRuleView>(`/admin/routes/${editing.id}`, body);
      toast(t('routes.saved', { id: editing.id }));
    } else {
      const added = await api.post<RouteRuleView>('/admin/routes', body);
      toast(t('routes.added', { id: added.id }));
    }
    setEditing(null);
    setForm(EMPTY);
    table.reload();
  });
  const act = useSubmit(async (rule: RouteRuleView, action: 'up' | 'down' | 'remove') => {
    if (action === 'remove') {
      await api.del(`/admin/routes/${rule.id}`);
      toast(t('routes.removed', { id: rule.id }));
    } else {
      const position = (rule.position ?? 1) + (action === 'up' ? -1 : 1);
      await api.post(`/admin/routes/${rule.id}/move`, { position: String(position) });
    }
    table.reload();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run();
  };
  const rules = table.data?.data ?? [];
  const ordinary = rules.filter((rule) => !rule.default).length;
  const busyId = act.pending?.[0].id ?? null;
  return (
    <>
      <PageHeader title={t('routes.title')} description={t('routes.description')} />
      <Card title={editing ? t('routes.editTitle', { id: editing.id }) : t('routes.addTitle')}>
        <form onSubmit={submit} noValidate>
          <RuleForm form={form} setForm={setForm} isDefault={editing?.default ?? false} error={save.error} />
          {!editing && (
            <TextField
              label={t('routes.position')}
              name="position"
              hint={t('routes.positionHint')}
              value={form.position}
              onChange={(event) => setForm({ ...form, position: event.target.value })}
              errors={fieldErrors(save.error, 'position')}
            />
          )}
          <ErrorBanner error={formLevelError(save.error, FIELDS)} />
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={save.busy}>
              <Icon name="plus" size={16} />
              <span>{editing ? t('routes.save') : t('routes.add')}</span>
            </button>
            {editing && (
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setEditing(null);
                  setForm(EMPTY);
                  save.reset();
                }}
              >
                {t('routes.cancel')}
              </button>
            )}
          </div>
        </form>
      </Card>
      <RouteSimulationCard rule={form} editing={editing?.id ?? null} providers={table.data?.providers ?? []} />
      <Card title={t('routes.tableTitle')}>
        <ErrorBanner error={table.error ?? act.error} onRetry={() => table.reload()} />
        {table.loading && !table.data ? (
          <Loading label={t('routes.loading')} />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">{t('routes.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('routes.colPosition')}</th>
                  <th scope="col">{t('routes.colMatches')}</th>
                  <th scope="col">{t('routes.strategy')}</th>
                  <th scope="col">{t('routes.providers')}</th>
                  <th scope="col">{t('routes.loss')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('routes.colActions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rules.map((rule) => (
                  <tr key={rule.id} data-rule={rule.id}>
                    <td>{rule.default ? <Badge tone="accent">{t('routes.defaultRule')}</Badge> : rule.position}</td>
                    <th scope="row">{matchText(t, rule)}</th>
                    <td>{strategyText(t, rule.strategy)}</td>
                    <td>{rule.providers.length === 0 ? t('routes.builtInOrder') : rule.providers.join(' → ')}</td>
                    <td>{rule.loss === 'refuse' ? t('routes.lossRefuse') : t('routes.lossSend')}</td>
                    <td className="actions">
                      {!rule.default && (
                        <>
                          <button
                            type="button"
                            className="btn btn-small"
                            disabled={busyId === rule.id || rule.position === 1}
                            aria-label={t('routes.moveUp', { id: rule.id })}
                            onClick={() => void act.run(rule, 'up')}
                          >
                            ↑
                          </button>
                          <button
                            type="button"
                            className="btn btn-small"
                            disabled={busyId === rule.id || rule.position === ordinary}
                            aria-label={t('routes.moveDown', { id: rule.id })}
                            onClick={() => void act.run(rule, 'down')}
                          >
                            ↓
                          </button>
                        </>
                      )}
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={t('routes.editRule', { id: rule.id })}
                        onClick={() => {
                          setEditing(rule);
                          setForm(formOf(rule));
                          save.reset();
                        }}
                      >
                        {t('routes.edit')}
                      </button>
                      {!rule.default && (
                        <button
                          type="button"
                          className="btn btn-small btn-danger-outline"
                          disabled={busyId === rule.id}
                          aria-label={t('routes.removeRule', { id: rule.id })}
                          onClick={() => void act.run(rule, 'remove')}
                        >
                          {t('routes.remove')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
