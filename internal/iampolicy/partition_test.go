package iampolicy

import "testing"

func TestPartition(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-1": "aws", "ap-southeast-2": "aws", "ca-central-1": "aws",
		"cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn",
		"us-gov-west-1": "aws-us-gov", "us-gov-east-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b",
	} {
		if got := Partition(region); got != want {
			t.Errorf("Partition(%q) = %q, want %q", region, got, want)
		}
	}
	if got := RoleArn("aws-cn", "*", "Deploy"); got != "arn:aws-cn:iam::*:role/Deploy" {
		t.Errorf("RoleArn = %s", got)
	}
}

func TestNotActionRoundTrips(t *testing.T) {
	d := Document{Version: Version, Statement: []Statement{{Sid: "S", Effect: "Deny", NotAction: []string{"ec2:Describe*"}, Resource: []string{"*"}}}}
	text, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Deny","NotAction":["ec2:Describe*"],"Resource":["*"]}]}`; text != want {
		t.Errorf("JSON %s, want %s (no Action key beside NotAction)", text, want)
	}
	back, err := Parse(`{"Statement":[{"Effect":"Deny","NotAction":"s3:Get*","Resource":"*"}]}`)
	if err != nil || len(back.Statement[0].NotAction) != 1 || back.Statement[0].NotAction[0] != "s3:Get*" {
		t.Errorf("Parse NotAction: %+v %v", back, err)
	}
}
