import { defineComponent, onMounted, ref } from 'vue';
import type { PropType } from 'vue';
import { t } from '../i18n/locale.ts';

/**
 * A modal confirmation (the native <dialog>: it traps focus and closes on
 * Escape). Mount it to ask; it reports the answer once.
 */
export const ConfirmDialog = defineComponent({
  name: 'ConfirmDialog',
  props: {
    message: { type: String, required: true },
    confirmLabel: { type: String, required: true },
    onAnswer: { type: Function as PropType<(confirmed: boolean) => void>, required: true },
  },
  setup(props) {
    const dialog = ref<HTMLDialogElement>();
    let answered = false;
    const answer = (confirmed: boolean): void => {
      if (answered) return;
      answered = true;
      dialog.value?.close();
      props.onAnswer(confirmed);
    };
    onMounted(() => dialog.value?.showModal());
    return () => (
      <dialog ref={dialog} class="dialog" aria-labelledby="confirm-message" onClose={() => answer(false)}>
        <p id="confirm-message">{props.message}</p>
        <div class="dialog__actions">
          <button type="button" class="button" autofocus onClick={() => answer(false)}>
            {t.value.common.cancel}
          </button>
          <button type="button" class="button button--danger" onClick={() => answer(true)}>
            {props.confirmLabel}
          </button>
        </div>
      </dialog>
    );
  },
});
