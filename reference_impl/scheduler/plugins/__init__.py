"""The in-tree plugins this reference scheduler ships, by their upstream names."""
from __future__ import annotations

from reference_impl.scheduler.plugins.basic import (
    DefaultBinder, NodeAffinity, NodeName, NodePorts, NodeUnschedulable, PrioritySort, TaintToleration,
)
from reference_impl.scheduler.plugins.defaultpreemption import DefaultPreemption
from reference_impl.scheduler.plugins.interpodaffinity import InterPodAffinity
from reference_impl.scheduler.plugins.noderesources import BalancedAllocation, Fit
from reference_impl.scheduler.plugins.podtopologyspread import PodTopologySpread

IN_TREE = {cls.name: cls for cls in (
    PrioritySort, NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts, Fit,
    BalancedAllocation, InterPodAffinity, PodTopologySpread, DefaultBinder, DefaultPreemption,
)}
