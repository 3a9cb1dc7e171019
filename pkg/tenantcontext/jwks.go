package tenantcontext

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// ErrUnknownKey is a token signed with a key the user pool does not publish.
var ErrUnknownKey = errors.New("token signed with an unknown key")

// jwks is a user pool's signing keys, fetched on first use and again when
// they are older than ttl or a token names a key they lack, but never more
// often than once per minInterval: a stream of tokens with made-up key ids
// must not turn into a stream of requests to Cognito.
type jwks struct {
	url         string
	client      *http.Client
	ttl         time.Duration
	minInterval time.Duration
	now         func() time.Time

	mu          sync.Mutex
	keys        map[string]*rsa.PublicKey
	fetchedAt   time.Time
	attemptedAt time.Time
}

// key is the public key of kid.
func (j *jwks) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	stale := j.keys == nil || j.now().Sub(j.fetchedAt) > j.ttl
	if k, ok := j.keys[kid]; ok && !stale {
		return k, nil
	}
	if !j.attemptedAt.IsZero() && j.now().Sub(j.attemptedAt) < j.minInterval {
		if k, ok := j.keys[kid]; ok {
			return k, nil // stale, but not to be refetched yet
		}
		return nil, ErrUnknownKey
	}
	j.attemptedAt = j.now()
	keys, err := j.fetch(ctx)
	if err != nil {
		if k, ok := j.keys[kid]; ok {
			return k, nil // Cognito unreachable: the keys it last published still hold
		}
		return nil, err
	}
	j.keys, j.fetchedAt = keys, j.now()
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, ErrUnknownKey
}

// fetch reads the key set: RSA signing keys only, by key id.
func (j *jwks) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	resp, err := j.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwks: %s answered %s", j.url, resp.Status)
	}
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			Kty string `json:"kty"`
			Use string `json:"use"`
			Alg string `json:"alg"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") || (k.Alg != "" && k.Alg != "RS256") {
			continue
		}
		n, errN := base64.RawURLEncoding.DecodeString(k.N)
		e, errE := base64.RawURLEncoding.DecodeString(k.E)
		if errN != nil || errE != nil || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("jwks: key %q is malformed", k.Kid)
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return keys, nil
}
