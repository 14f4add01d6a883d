/** The widget's own words; the `strings` property overrides any of them. */
export interface Strings {
  close: string;
  retry: string;
  /** `{n}` is replaced by the count. */
  more: string;
  dismissAll: string;
  enable: string;
  reconnecting: string;
  failed: string;
  open: string;
  region: string;
}

const en: Strings = {
  close: 'Close',
  retry: 'Retry',
  more: '+{n} more',
  dismissAll: 'Dismiss all',
  enable: 'Enable desktop notifications',
  reconnecting: 'Reconnecting…',
  failed: 'Live notifications stopped.',
  open: 'Open',
  region: 'Notifications',
};

const ja: Strings = {
  close: '閉じる',
  retry: '再試行',
  more: '他 {n} 件',
  dismissAll: 'すべて閉じる',
  enable: 'デスクトップ通知を有効にする',
  reconnecting: '再接続中…',
  failed: 'ライブ通知が停止しました。',
  open: '開く',
  region: '通知',
};

/** Built-in strings for a BCP 47 tag (`ja-JP` → Japanese), English otherwise, with overrides applied. */
export function stringsFor(lang: string | null | undefined, overrides?: Partial<Strings> | null): Strings {
  const base = /^ja\b/i.test(lang ?? '') ? ja : en;
  return overrides ? { ...base, ...overrides } : base;
}
