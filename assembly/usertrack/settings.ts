// The validated settings of the usertrack feature, as config/usertrack.ts reads them from the JSON configuration.
export class UsertrackSettings {
  enabled: bool = true;
}
