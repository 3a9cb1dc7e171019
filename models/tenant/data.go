package tenant

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/dynamodb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/datatable"
)

// DataStore is where a tenant's items live: a table of its own, or its
// partition keys of the platform's pooled table.
type DataStore struct {
	Mode spec.DataMode
	// Table is the tenant's own table (DataTable); nil when pooled.
	Table *dynamodb.Table
	// Kept is the own table a pooled tenant keeps while a migration is in
	// flight (spec.Tenant.Migration); its items are not the tenant's live data.
	Kept *dynamodb.Table
	// TableName and TableArn are the table holding the tenant's items: its
	// own, or the platform's pooled table.
	TableName pulumi.StringOutput
	TableArn  pulumi.StringOutput

	tenantID string
}

// Stack output names of a tenant's data store.
const (
	OutDataMode  = "dataMode"
	OutTableName = "tableName"
	OutTableArn  = "tableArn"
)

// Data builds the tenant's data store in its data mode (validation sets one
// on every tenant). Pooled, it builds nothing: the tenant's items are its
// partition keys of the platform's pooled table; but while a migration is in
// flight it keeps a table of the tenant's own, so the update that switches
// the tenant to the pooled model never deletes data not yet copied. In table
// mode it is a table of the tenant's own (datatable's layout, under
// in.KeyArn) in the stack's account: the tenant's account for the account
// model, the platform's otherwise.
func (in Input) Data(ctx *pulumi.Context, opts []pulumi.ResourceOption) (*DataStore, error) {
	t := in.Tenant
	d := &DataStore{Mode: t.Data.Mode, tenantID: t.ID}
	if d.Mode == spec.DataPooled && t.Migration == nil {
		d.TableName, d.TableArn = in.Platform.PoolTableName, in.Platform.PoolTableArn
		return d, nil
	}
	table, err := dynamodb.NewTable(ctx, in.Name("data"), datatable.Args(in.Physical("data", 255), nil, in.KeyArn), opts...)
	if err != nil {
		return nil, err
	}
	if d.Mode == spec.DataPooled {
		// A migration in flight keeps the tenant's own table (created by the
		// model it leaves, and the same resource here through the model
		// aliases) until its items are copied to the pool: the marker's
		// removal deletes it.
		d.Kept = table
		d.TableName, d.TableArn = in.Platform.PoolTableName, in.Platform.PoolTableArn
		return d, nil
	}
	d.Table, d.TableName, d.TableArn = table, table.Name, table.Arn
	return d, nil
}

// Statements are the IAM statements that let a principal read and write the
// tenant's items and nothing else, given the ARN of the table that holds them:
// every item of its own table, or its partition keys of the pooled table.
func (d *DataStore) Statements(tableArn string) []iampolicy.Statement {
	if d.Mode == spec.DataTable {
		return []iampolicy.Statement{datatable.OwnTable(tableArn)}
	}
	return []iampolicy.Statement{datatable.OwnPartitionKeys(tableArn, d.tenantID)}
}

// StatementsOutput is Statements once the table's ARN is known; it resolves to
// []iampolicy.Statement (fargate.Args.TaskStatements).
func (d *DataStore) StatementsOutput() pulumi.Output {
	return d.TableArn.ApplyT(func(arn string) []iampolicy.Statement { return d.Statements(arn) })
}

// AddOutputs adds the data store's stack outputs to a model's and returns
// them: its mode, and the name and ARN of a table of the tenant's own (the
// pooled table is the platform stack's output).
func (d *DataStore) AddOutputs(outs pulumi.Map) pulumi.Map {
	outs[OutDataMode] = pulumi.String(string(d.Mode)).ToStringOutput()
	if d.Table != nil {
		outs[OutTableName], outs[OutTableArn] = d.TableName, d.TableArn
	}
	return outs
}
