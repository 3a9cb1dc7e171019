package tenantcontext

import "testing"

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		EnvIssuer:   Issuer("eu-west-1", "eu-west-1_Abc"),
		EnvAudience: "client-1",
		EnvTokenUse: "access",
	}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Region != "eu-west-1" || c.UserPoolID != "eu-west-1_Abc" || c.ClientID != "client-1" || c.TokenUse != AccessToken {
		t.Errorf("config %+v", c)
	}
	if c.Issuer() != env[EnvIssuer] {
		t.Errorf("issuer %q, want %q", c.Issuer(), env[EnvIssuer])
	}
	for name, bad := range map[string]map[string]string{
		"no issuer":       {EnvAudience: "client-1"},
		"not cognito":     {EnvIssuer: "https://example.com/pool", EnvAudience: "client-1"},
		"no pool":         {EnvIssuer: "https://cognito-idp.eu-west-1.amazonaws.com/", EnvAudience: "client-1"},
		"no audience":     {EnvIssuer: env[EnvIssuer]},
		"a path too many": {EnvIssuer: env[EnvIssuer] + "/x", EnvAudience: "client-1"},
	} {
		if _, err := ConfigFromEnv(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
