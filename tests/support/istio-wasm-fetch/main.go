// istio-wasm-fetch pulls a Wasm module from an OCI registry the way istio-agent does for a WasmPlugin with an
// oci:// url, and writes the module to stdout and the manifest digest (what WasmPlugin's sha256 is compared
// with) to stderr.
//
// The steps follow istio/istio pkg/wasm/imagefetcher.go (PrepareFetch, extractOCIStandardImage,
// extractWasmPluginBinary) with the same library, go-containerregistry: resolve the reference, take the
// image's digest, and for an OCI manifest read the last layer, which must be
// application/vnd.oci.image.layer.v1.tar+gzip, returning the first tar entry whose base name is plugin.wasm.
// Istio then checks the module starts with the Wasm magic number (pkg/wasm/cache.go).
//
//	istio-wasm-fetch [--plain-http] REGISTRY/REPOSITORY:TAG > plugin.wasm
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func main() {
	args := os.Args[1:]
	var opts []name.Option
	if len(args) == 2 && args[0] == "--plain-http" {
		opts = append(opts, name.Insecure)
		args = args[1:]
	}
	if len(args) != 1 {
		fail(errors.New("usage: istio-wasm-fetch [--plain-http] REGISTRY/REPOSITORY:TAG"))
	}
	ref, err := name.ParseReference(args[0], opts...)
	if err != nil {
		fail(err)
	}
	desc, err := remote.Get(ref)
	if err != nil {
		fail(fmt.Errorf("could not fetch manifest: %w", err))
	}
	img, err := desc.Image()
	if err != nil {
		fail(fmt.Errorf("could not fetch image: %w", err))
	}
	digest, err := img.Digest()
	if err != nil {
		fail(err)
	}
	manifest, err := img.Manifest()
	if err != nil {
		fail(err)
	}
	if manifest.MediaType == types.DockerManifestSchema2 {
		fail(errors.New("a Docker manifest: not what npm run package:oci writes"))
	}
	layers, err := img.Layers()
	if err != nil {
		fail(err)
	}
	if len(layers) == 0 {
		fail(errors.New("number of layers must be greater than zero"))
	}
	layer := layers[len(layers)-1]
	mt, err := layer.MediaType()
	if err != nil {
		fail(err)
	}
	if mt != types.OCILayer {
		fail(fmt.Errorf("invalid media type %s (expect %s)", mt, types.OCILayer))
	}
	compressed, err := layer.Compressed()
	if err != nil {
		fail(err)
	}
	defer compressed.Close()
	module, err := pluginWasm(compressed)
	if err != nil {
		fail(err)
	}
	if len(module) < 8 || !bytes.Equal(module[:4], []byte("\x00asm")) {
		fail(errors.New("plugin.wasm is not a Wasm binary"))
	}
	fmt.Fprintln(os.Stderr, digest.Hex)
	os.Stdout.Write(module)
}

// pluginWasm returns the first entry of a tar.gz stream whose base name is plugin.wasm.
func pluginWasm(r io.Reader) ([]byte, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("failed to parse layer as tar.gz: %w", err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, errors.New("plugin.wasm not found in the archive")
		}
		if err != nil {
			return nil, err
		}
		if filepath.Base(h.Name) == "plugin.wasm" {
			return io.ReadAll(tr)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "istio-wasm-fetch:", err)
	os.Exit(1)
}
