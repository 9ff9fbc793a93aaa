// Command argoexpr decides Argo Rollouts measurements the way Argo Rollouts does: its
// prometheus provider turns a query result into `result` (a vector into []float64, a scalar
// into float64), and its evaluator compiles successCondition and failureCondition with the
// expression engine it vendors (github.com/antonmedv/expr) in the same environment of helper
// functions (isNaN, isInf, asInt, asFloat, isNil, default), then applies its precedence:
// failure first, success next, neither is inconclusive.
//
// Input on stdin: a JSON list of cases, each {"successCondition", "failureCondition", "data"}
// where data is the `data` object of a Prometheus /api/v1/query answer (sample values are
// strings, "NaN" and "+Inf" included). Output: a JSON list of phases, one per case:
// "Successful", "Failed", "Inconclusive" or "Error: <message>".
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"

	"github.com/antonmedv/expr"
)

type sample struct {
	Value [2]interface{} `json:"value"`
}

type queryData struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

type testCase struct {
	SuccessCondition string    `json:"successCondition"`
	FailureCondition string    `json:"failureCondition"`
	Data             queryData `json:"data"`
}

func number(raw interface{}) (float64, error) {
	text, ok := raw.(string)
	if !ok {
		return 0, fmt.Errorf("sample value %v is not a string", raw)
	}
	return strconv.ParseFloat(text, 64)
}

// result converts a query answer as the prometheus provider does.
func result(data queryData) (interface{}, error) {
	switch data.ResultType {
	case "vector":
		var samples []sample
		if err := json.Unmarshal(data.Result, &samples); err != nil {
			return nil, err
		}
		values := make([]float64, 0, len(samples))
		for _, s := range samples {
			v, err := number(s.Value[1])
			if err != nil {
				return nil, err
			}
			values = append(values, v)
		}
		return values, nil
	case "scalar":
		var pair [2]interface{}
		if err := json.Unmarshal(data.Result, &pair); err != nil {
			return nil, err
		}
		return number(pair[1])
	}
	return nil, fmt.Errorf("Prometheus metric type not supported")
}

func isNil(in interface{}) bool {
	if in == nil {
		return true
	}
	switch reflect.TypeOf(in).Kind() {
	case reflect.Ptr, reflect.Map, reflect.Array, reflect.Chan, reflect.Slice:
		return reflect.ValueOf(in).IsNil()
	}
	return false
}

func toFloat(in interface{}) float64 {
	switch v := in.(type) {
	case float64:
		return v
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case string:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			panic(err)
		}
		return f
	}
	panic(fmt.Sprintf("asFloat() not supported on %v %v", reflect.TypeOf(in), in))
}

func evaluate(value interface{}, condition string) (bool, error) {
	env := map[string]interface{}{
		"result":  value,
		"asInt":   func(in interface{}) int64 { return int64(toFloat(in)) },
		"asFloat": toFloat,
		"isNaN":   math.IsNaN,
		"isInf":   func(f float64) bool { return math.IsInf(f, 0) },
		"isNil":   func(interface{}) bool { return isNil(value) },
		"default": func(_ interface{}, fallback interface{}) interface{} {
			if isNil(value) {
				return fallback
			}
			return value
		},
	}
	program, err := expr.Compile(condition, expr.Env(env))
	if err != nil {
		return false, err
	}
	output, err := expr.Run(program, env)
	if err != nil {
		return false, err
	}
	holds, ok := output.(bool)
	if !ok {
		return false, fmt.Errorf("expected bool, but got %T", output)
	}
	return holds, nil
}

func phase(c testCase) string {
	value, err := result(c.Data)
	if err != nil {
		return "Error: " + err.Error()
	}
	success, failure := false, false
	if c.SuccessCondition != "" {
		if success, err = evaluate(value, c.SuccessCondition); err != nil {
			return "Error: " + err.Error()
		}
	}
	if c.FailureCondition != "" {
		if failure, err = evaluate(value, c.FailureCondition); err != nil {
			return "Error: " + err.Error()
		}
	}
	switch {
	case c.SuccessCondition == "" && c.FailureCondition == "":
		return "Successful"
	case c.FailureCondition == "":
		failure = !success
	case c.SuccessCondition == "":
		success = !failure
	}
	if failure {
		return "Failed"
	}
	if !success {
		return "Inconclusive"
	}
	return "Successful"
}

func main() {
	var cases []testCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "argoexpr: bad input:", err)
		os.Exit(2)
	}
	phases := make([]string, len(cases))
	for i, c := range cases {
		phases[i] = phase(c)
	}
	if err := json.NewEncoder(os.Stdout).Encode(phases); err != nil {
		os.Exit(2)
	}
}
