import type { ReactNode } from 'react';

/** What a control needs to be described by its hint and error. */
export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

interface FormFieldProps {
  /** The control's id; its error (if any) gets `field-error-<path>`. */
  id: string;
  /** Dotted path of the field in the API input (`preferences.hoursPerWeek`). */
  path: string;
  label: string;
  hint?: ReactNode;
  errors?: readonly string[];
  className?: string;
  children: (control: FieldControlProps) => ReactNode;
}

/** A label, the control, an optional hint and the server's field errors, linked for screen readers. */
export function FormField({ id, path, label, hint, errors, className, children }: FormFieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors && errors.length > 0 ? `field-error-${path}` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(errorId ? { 'aria-invalid': true as const } : {}),
      })}
      {errorId ? (
        <p className="field-error" id={errorId}>
          {errors?.join(' ')}
        </p>
      ) : null}
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
