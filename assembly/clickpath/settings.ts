// The validated settings of the clickpath feature, as config/clickpath.ts reads them from the JSON configuration.
export class ClickpathSettings {
  enabled: bool = true;
}
