// The validated settings of the session feature, as config/session.ts reads them from the JSON configuration.
export class SessionSettings {
  enabled: bool = true;
}
