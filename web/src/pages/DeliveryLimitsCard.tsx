// Compose's optional quiet hours (send window, recipients' local time) and validity of a sending.
import { useTranslation } from 'react-i18next';
import { Card, fieldErrors, TextField } from '../components/ui.js';

export interface DeliveryLimits {
  /** `HH:MM-HH:MM` as typed; blank: any time. */
  readonly sendWindow: string;
  /** Minutes as typed; blank: no limit. */
  readonly validityMinutes: string;
}

/** The request fields for what was filled in: nothing for a blank input. */
export function deliveryLimitFields(limits: DeliveryLimits): { send_window?: string; validity_minutes?: string } {
  return {
    ...(limits.sendWindow.trim() !== '' && { send_window: limits.sendWindow.trim() }),
    ...(limits.validityMinutes.trim() !== '' && { validity_minutes: limits.validityMinutes.trim() }),
  };
}

export function DeliveryLimitsCard({
  limits,
  onChange,
  error,
}: {
  readonly limits: DeliveryLimits;
  readonly onChange: (limits: DeliveryLimits) => void;
  readonly error: unknown;
}) {
  const { t } = useTranslation();
  return (
    <Card title={t('windows.title')}>
      <div className="form-grid">
        <TextField
          label={t('windows.sendWindow')}
          name="send_window"
          value={limits.sendWindow}
          placeholder="08:00-20:00"
          onChange={(event) => onChange({ ...limits, sendWindow: event.target.value })}
          errors={fieldErrors(error, 'send_window')}
          hint={t('windows.sendWindowHint')}
        />
        <TextField
          label={t('windows.validity')}
          name="validity_minutes"
          type="number"
          min={1}
          max={4320}
          value={limits.validityMinutes}
          onChange={(event) => onChange({ ...limits, validityMinutes: event.target.value })}
          errors={fieldErrors(error, 'validity_minutes')}
          hint={t('windows.validityHint')}
        />
      </div>
    </Card>
  );
}
