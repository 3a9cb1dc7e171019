// Package certificate builds an ACM certificate validated through DNS: the
// certificate, its validation records in a Route 53 hosted zone, and the
// validation that waits until ACM has issued it. The platform's wildcard
// certificate and every tenant load balancer's certificate are built here.
package certificate

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// RecordTTL is the validation records' time to live, in seconds.
const RecordTTL = 300

// Args describe a certificate.
type Args struct {
	// Owner starts the logical names: the platform, or a tenant id.
	Owner string
	// Domains are the names the certificate covers; the first is its subject.
	Domains []string
	// ZoneID is the public hosted zone the validation records go in.
	ZoneID pulumi.StringInput
	// After are what the validation waits for besides its records: the
	// delegation of ZoneID's zone, when ACM can resolve the records only
	// through it.
	After []pulumi.Resource
}

// Certificate is what New registered.
type Certificate struct {
	Certificate *acm.Certificate
	// Records are the validation records, one per name of RecordOwners.
	Records    []*route53.Record
	Validation *acm.CertificateValidation
}

// Arn is the certificate's ARN once ACM has issued it: listeners and domain
// names given it wait for the validation.
func (c *Certificate) Arn() pulumi.StringOutput { return c.Validation.CertificateArn }

// RecordOwners are the names whose validation records a certificate for
// domains needs, in order: ACM validates *.d by the record of d, so a
// wildcard and the name under it share one record, which Route 53 would
// refuse to create twice.
func RecordOwners(domains []string) []string {
	var out []string
	for _, d := range domains {
		base := strings.TrimPrefix(d, "*.")
		if !contains(out, base) {
			out = append(out, base)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// New registers the certificate, its validation records and the validation;
// opts carry the parent (and through it the provider of the account that
// holds both the certificate and the zone).
func New(ctx *pulumi.Context, a Args, opts ...pulumi.ResourceOption) (*Certificate, error) {
	if len(a.Domains) == 0 {
		return nil, fmt.Errorf("certificate of %s: no domain", a.Owner)
	}
	name := func(parts ...string) string { return naming.Logical(a.Owner, append([]string{"cert"}, parts...)...) }
	certArgs := &acm.CertificateArgs{
		DomainName:       pulumi.String(a.Domains[0]),
		ValidationMethod: pulumi.String("DNS"),
	}
	if len(a.Domains) > 1 {
		certArgs.SubjectAlternativeNames = pulumi.ToStringArray(a.Domains[1:])
	}
	cert, err := acm.NewCertificate(ctx, name(), certArgs, opts...)
	if err != nil {
		return nil, err
	}
	out := &Certificate{Certificate: cert}
	fqdns := pulumi.StringArray{}
	for i, owner := range RecordOwners(a.Domains) {
		opt := validationOption(cert, owner)
		rec, err := route53.NewRecord(ctx, name("validation", fmt.Sprint(i)), &route53.RecordArgs{
			ZoneId:  a.ZoneID,
			Name:    opt.ResourceRecordName().Elem(),
			Type:    opt.ResourceRecordType().Elem(),
			Records: pulumi.StringArray{opt.ResourceRecordValue().Elem()},
			Ttl:     pulumi.Int(RecordTTL),
			// ACM gives every certificate of a name the same record: a
			// replacement certificate finds its record there already.
			AllowOverwrite: pulumi.Bool(true),
		}, opts...)
		if err != nil {
			return nil, err
		}
		out.Records = append(out.Records, rec)
		fqdns = append(fqdns, rec.Fqdn)
	}
	valOpts := opts
	if len(a.After) > 0 {
		valOpts = append(append([]pulumi.ResourceOption{}, opts...), pulumi.DependsOn(a.After))
	}
	out.Validation, err = acm.NewCertificateValidation(ctx, name(), &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: fqdns,
	}, valOpts...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// validationOption is the certificate's DNS validation option of owner (or
// of *.owner: the two share a record).
func validationOption(cert *acm.Certificate, owner string) acm.CertificateDomainValidationOptionOutput {
	return cert.DomainValidationOptions.ApplyT(func(opts []acm.CertificateDomainValidationOption) (acm.CertificateDomainValidationOption, error) {
		for _, o := range opts {
			if o.DomainName != nil && strings.TrimPrefix(*o.DomainName, "*.") == owner && o.ResourceRecordName != nil {
				return o, nil
			}
		}
		return acm.CertificateDomainValidationOption{}, fmt.Errorf("the certificate has no DNS validation record for %s", owner)
	}).(acm.CertificateDomainValidationOptionOutput)
}
