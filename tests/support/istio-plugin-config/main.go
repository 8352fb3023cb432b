// istio-plugin-config prints the string istiod hands a Wasm filter as its configuration for the WasmPlugin
// spec on stdin (JSON, as the Kubernetes API server stores it).
//
// istiod decodes a WasmPlugin with the generated UnmarshalJSON of istio.io/api/extensions/v1alpha1
// (wasm_json.gen.go) and serialises spec.pluginConfig with istio.io/istio/pkg/util/protomarshal.ToJSON,
// which is the legacy jsonpb Marshaler with no indent (pilot/pkg/model/extensions.go, buildPluginConfig);
// the result becomes the google.protobuf.StringValue of the Envoy PluginConfig. This program does the same
// two steps with the same libraries, so tests can compare the filter's input byte for byte.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/golang/protobuf/jsonpb"
	extensions "istio.io/api/extensions/v1alpha1"
)

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	var spec extensions.WasmPlugin
	// encoding/json calls WasmPlugin.UnmarshalJSON, as the Kubernetes client in istiod does.
	if err := json.Unmarshal(in, &spec); err != nil {
		fail(err)
	}
	if spec.PluginConfig == nil || len(spec.PluginConfig.Fields) == 0 {
		// istiod then sends an empty Any: the filter gets no configuration at all.
		return
	}
	out, err := (&jsonpb.Marshaler{}).MarshalToString(spec.PluginConfig)
	if err != nil {
		fail(err)
	}
	fmt.Print(out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "istio-plugin-config:", err)
	os.Exit(1)
}
