import { useEffect, useState } from 'react';
import TextField from '@material-ui/core/TextField';
import Autocomplete, {
  createFilterOptions,
} from '@material-ui/lab/Autocomplete';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';

/** A catalog user or group offered as a filter value. */
export interface EntityRefSuggestion {
  /** Lower-case full ref, e.g. `user:default/ada`. */
  ref: string;
  /** `metadata.name`, e.g. `ada`. */
  name: string;
  /** `spec.profile.displayName` or `metadata.title`, when set. */
  displayName?: string;
}

/**
 * Users or groups of the catalog (`catalogApiRef`), loaded once, sorted by name. Empty while
 * loading, when the app has no catalog API, or when the catalog fails (typing still works).
 */
export function useEntityRefSuggestions(
  kind: 'User' | 'Group',
): EntityRefSuggestion[] {
  const catalogApi = useApiHolder().get(catalogApiRef);
  const [suggestions, setSuggestions] = useState<EntityRefSuggestion[]>([]);
  useEffect(() => {
    if (!catalogApi) return undefined;
    let live = true;
    catalogApi
      .getEntities({
        filter: { kind },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'spec.profile.displayName',
        ],
      })
      .then(({ items }) => {
        if (!live) return;
        setSuggestions(
          items
            .map(entity => {
              const profile = (
                entity.spec as
                  | { profile?: { displayName?: string } }
                  | undefined
              )?.profile;
              const displayName = profile?.displayName ?? entity.metadata.title;
              return {
                ref: stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
                name: entity.metadata.name,
                ...(displayName ? { displayName } : {}),
              };
            })
            .sort((a, b) => a.ref.localeCompare(b.ref)),
        );
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [catalogApi, kind]);
  return suggestions;
}

/**
 * The ref a person typed or picked: an exact (case-insensitive) match of a suggestion's ref, name
 * or display name gives its ref (`Ada Operator` → `user:default/ada`); anything else is returned
 * as typed, trimmed (the filter's own normalisation expands `ada` to `user:default/ada`).
 */
export function resolveTypedRef(
  text: string,
  suggestions: EntityRefSuggestion[],
): string {
  const typed = text.trim();
  const key = typed.toLocaleLowerCase('en-US');
  if (!key) return '';
  const matches = suggestions.filter(
    s =>
      s.ref === key ||
      s.name.toLocaleLowerCase('en-US') === key ||
      s.displayName?.toLocaleLowerCase('en-US') === key,
  );
  return matches.length === 1 ? matches[0].ref : typed;
}

const filterSuggestions = createFilterOptions<EntityRefSuggestion>({
  stringify: s => `${s.ref} ${s.displayName ?? ''}`,
  limit: 20,
});

/**
 * A text field for a user or group filter that accepts what people type — a name (`ada`), a
 * display name (`Ada Operator`) or a full ref — and suggests catalog entities as they type.
 * Picking a suggestion puts its full ref in the field.
 */
export function EntityRefField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  suggestions: EntityRefSuggestion[];
  helperText?: string;
  placeholder?: string;
  error?: boolean;
  className?: string;
}) {
  const {
    id,
    label,
    value,
    onChange,
    suggestions,
    helperText,
    placeholder,
    error,
    className,
  } = props;
  return (
    <Autocomplete<EntityRefSuggestion, false, false, true>
      id={id}
      className={className}
      freeSolo
      options={suggestions}
      filterOptions={filterSuggestions}
      getOptionLabel={option =>
        typeof option === 'string' ? option : option.ref
      }
      renderOption={option => (
        <span data-testid="entity-ref-suggestion" data-entity-ref={option.ref}>
          {option.displayName
            ? `${option.displayName} (${option.ref})`
            : option.ref}
        </span>
      )}
      inputValue={value}
      // `reset` is the Autocomplete syncing the text to its (unused) selected value, e.g. on mount:
      // the form's value stays; a picked option arrives through onChange below.
      onInputChange={(_event, text, reason) => {
        if (reason !== 'reset') onChange(text);
      }}
      onChange={(_event, picked) => {
        if (picked && typeof picked !== 'string') onChange(picked.ref);
      }}
      renderInput={params => (
        <TextField
          {...params}
          label={label}
          placeholder={placeholder}
          helperText={helperText}
          error={error}
          variant="outlined"
          size="small"
        />
      )}
    />
  );
}
