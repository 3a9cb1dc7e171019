package platform

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/certificate"
)

// APISecurityPolicy is the TLS policy of the pooled API's custom domain.
const APISecurityPolicy = "TLS_1_2"

// Domains are the names the platform's certificate covers: the fleet's
// domain and every name one label under it (tenants' names, api.<domain>).
func Domains(s *spec.Settings) []string { return []string{"*." + s.Domain, s.Domain} }

// APIHost is the pooled API's name, where application-model tenants are reached.
func APIHost(s *spec.Settings) string { return spec.APILabel + "." + s.Domain }

// dns: the public hosted zone of the fleet's domain (dns.zoneId's, else one
// of the platform's own, to which the domain's registrar must delegate), and
// the certificate of Domains, validated through it.
func (b *builder) dns() error {
	if id := b.s.DNS.ZoneID; id != "" {
		zone := route53.LookupZoneOutput(b.ctx, route53.LookupZoneOutputArgs{ZoneId: pulumi.String(id)}, pulumi.Provider(b.prov))
		b.zoneID, b.p.ZoneNameServers = zone.ZoneId(), zone.NameServers()
	} else {
		zone, err := route53.NewZone(b.ctx, b.name("zone"), &route53.ZoneArgs{
			Name:    pulumi.String(b.s.Domain),
			Comment: pulumi.String("tenantctl: the fleet's tenants and pooled API"),
		}, b.opts...)
		if err != nil {
			return err
		}
		b.zoneID, b.p.ZoneNameServers = zone.ZoneId, zone.NameServers
	}
	b.p.ZoneID = b.zoneID
	cert, err := certificate.New(b.ctx, certificate.Args{Owner: Owner, Domains: Domains(b.s), ZoneID: b.zoneID}, b.opts...)
	if err != nil {
		return err
	}
	b.cert = cert
	b.p.CertificateArn = cert.Arn()
	return nil
}

// apiDomain: the pooled API's regional custom domain APIHost on the
// platform's certificate, mapped to its stage at the root, and its alias
// record.
func (b *builder) apiDomain() error {
	host := APIHost(b.s)
	domain, err := apigateway.NewDomainName(b.ctx, b.name("api", "domain"), &apigateway.DomainNameArgs{
		DomainName:             pulumi.String(host),
		RegionalCertificateArn: b.cert.Arn(),
		EndpointConfiguration:  apigateway.DomainNameEndpointConfigurationArgs{Types: pulumi.String("REGIONAL")},
		SecurityPolicy:         pulumi.String(APISecurityPolicy),
		Tags:                   pooledTags(),
	}, b.opts...)
	if err != nil {
		return err
	}
	if _, err := apigateway.NewBasePathMapping(b.ctx, b.name("api", "domain"), &apigateway.BasePathMappingArgs{
		DomainName: domain.DomainName,
		RestApi:    b.restAPI.ID(),
		StageName:  b.stage.StageName,
	}, b.opts...); err != nil {
		return err
	}
	if _, err := route53.NewRecord(b.ctx, b.name("api", "dns"), &route53.RecordArgs{
		ZoneId: b.zoneID,
		Name:   pulumi.String(host),
		Type:   pulumi.String("A"),
		Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
			Name: domain.RegionalDomainName, ZoneId: domain.RegionalZoneId, EvaluateTargetHealth: pulumi.Bool(false),
		}},
	}, b.opts...); err != nil {
		return err
	}
	b.p.APIDomain = domain.DomainName
	return nil
}
