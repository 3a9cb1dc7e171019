package iampolicy

import "strings"

// Partition is the ARN partition of an AWS region: aws-cn for the China
// regions, aws-us-gov for GovCloud, aws-iso and aws-iso-b for the isolated
// regions, aws for every other. ARNs tenantctl writes into policies take it,
// so that a fleet outside the commercial partition gets ARNs that match.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}

// RoleArn is the ARN of an IAM role; account may be "*" in a pattern.
func RoleArn(partition, account, name string) string {
	return "arn:" + partition + ":iam::" + account + ":role/" + name
}
