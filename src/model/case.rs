//! `Case`: one complaint record as the platforms export it (see FORMAT.md), plus status and extras.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Processing status of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    #[serde(rename = "受理")]
    Accepted,
    #[serde(rename = "办理中")]
    InProgress,
    #[serde(rename = "办结")]
    Closed,
}

impl Status {
    /// Parses the Chinese labels and a few English aliases.
    pub fn parse(s: &str) -> Option<Status> {
        match s.trim() {
            "受理" | "已受理" | "accepted" => Some(Status::Accepted),
            "办理中" | "在办" | "in_progress" => Some(Status::InProgress),
            "办结" | "已办结" | "closed" => Some(Status::Closed),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Accepted => "受理",
            Status::InProgress => "办理中",
            Status::Closed => "办结",
        }
    }
}

/// One complaint or petition record. Every field but `id` may be missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headcount: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The poster's user id on the platform named in `platform` (web boards, apps, WeChat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Fields the format does not know, kept as they came.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Case {
    /// Title and content joined: the narrative the text comparators and the index read.
    pub fn narrative(&self) -> String {
        match (&self.title, &self.content) {
            (Some(t), Some(c)) => format!("{t}。{c}"),
            (Some(t), None) => t.clone(),
            (None, Some(c)) => c.clone(),
            (None, None) => String::new(),
        }
    }

    /// Received time as seconds since the epoch, if known.
    pub fn timestamp(&self) -> Option<i64> {
        self.received_at.map(|t| t.timestamp())
    }
}
